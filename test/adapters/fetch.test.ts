import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { authenticateRequest, withTurnkeySession, type FetchTurnkeyAuthOptions } from "../../src/adapters/fetch.js";
import { definePolicy, organizationFromParam, requireUser, type TurnkeySession } from "../../src/index.js";
import { fetchClient } from "../helpers/adapters/app-helpers.js";
import { fetchPathApp } from "../helpers/adapters/path-apps.js";
import { runPathSuite } from "./path-cases.js";
import { CUSTOM_ONERROR_STATUS, createFixtures, errorPathAnswer, expectWithToReuseOnlyItsOwnSessions, identityOf, runAdapterSuite, specFor, type AppSpec, type Probe } from "./cases.js";

const ORG_ROUTE = /^\/orgs\/([^/]+)\/whoami$/;

/** The shared app as a plain fetch handler: app-wide `authenticateRequest`, then routes made with `withTurnkeySession`. */
function fetchApp(spec: AppSpec, probe: Probe): (request: Request) => Promise<Response> {
  const options: FetchTurnkeyAuthOptions = { ...spec.options };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (request) => request.headers.get(tokenHeader) ?? undefined;
  if (spec.customOnError) {
    options.onError = (error) => Response.json({ custom: error.code, challenge: error.wwwAuthenticate }, { status: CUSTOM_ONERROR_STATUS });
  }
  const whoami = (_request: Request, session: TurnkeySession | undefined, _context?: unknown) => {
    probe.handled += 1;
    return Response.json(identityOf(session));
  };
  const whoamiRoute = withTurnkeySession(whoami, options);
  const orgRoute = withTurnkeySession(whoami, options, organizationFromParam("orgId"));

  async function route(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    let session: TurnkeySession | undefined;
    if (spec.global) {
      const outcome = await authenticateRequest(request, options);
      if (outcome instanceof Response) return outcome;
      session = outcome;
    }
    if (pathname === "/whoami") return spec.global ? whoami(request, session) : whoamiRoute(request);
    const match = ORG_ROUTE.exec(pathname);
    // Next.js hands route handlers their params as a promise; withTurnkeySession awaits them.
    if (match !== null) return orgRoute(request, { params: Promise.resolve({ orgId: decodeURIComponent(match[1] as string) }) });
    return new Response("not found", { status: 404 });
  }

  // The app's error path: what the adapter throws (forwardErrors, unexpected failures) lands here.
  return async (request) => {
    try {
      return await route(request);
    } catch (error) {
      probe.errors.push(error);
      const answer = errorPathAnswer(error);
      return Response.json(answer.body, { status: answer.status });
    }
  };
}

function clientOf(handler: (request: Request) => Promise<Response>) {
  return fetchClient({ request: (path, init) => handler(new Request(`http://localhost${path}`, init)) });
}

runAdapterSuite({ name: "fetch", start: async (spec, probe) => clientOf(fetchApp(spec, probe)) });
runPathSuite({ name: "fetch", start: fetchPathApp, routers: [{ label: "in Hono's router, its defaults" }] });

describe("fetch adapter: specifics", () => {
  it("authenticateRequest resolves to the session, or to a ready refusal Response with its challenge and JSON", async () => {
    const f = await createFixtures();
    const options = specFor(f).options;
    const session = await authenticateRequest(new Request("http://x/", { headers: { authorization: `Bearer ${await f.token()}` } }), options);
    expect(session).toMatchObject({ userId: "user-1", organizationId: "org-1" });
    const refusal = await authenticateRequest(new Request("http://x/"), options);
    expect(refusal).toBeInstanceOf(Response);
    const response = refusal as Response;
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="turnkey"');
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: "missing_token", message: "No session token was presented" });
  });

  it("takes a route's policies and params in authenticateRequest, and query policies read the URL", async () => {
    const f = await createFixtures();
    const options = specFor(f).options;
    const request = () => new Request("http://x/orgs/org-2?tenant=a&tenant=b", { headers: { authorization: `Bearer ${token}` } });
    const token = await f.token();
    const denied = await authenticateRequest(request(), options, { params: { orgId: "org-2" }, policies: [organizationFromParam("orgId")] });
    expect((denied as Response).status).toBe(403);
    const seen: unknown[] = [];
    const firstTenant = definePolicy("tenant", ({ request: r }) => (seen.push(r.query, r.path), true));
    expect(await authenticateRequest(request(), options, { policies: [firstTenant] })).toMatchObject({ userId: "user-1" });
    expect(seen).toEqual([{ tenant: "a" }, "/orgs/org-2"]);
  });

  it("one options object keeps one verifier (one cache) across calls", async () => {
    const f = await createFixtures();
    const options = specFor(f).options;
    const token = await f.token();
    const first = await authenticateRequest(new Request("http://x/", { headers: { authorization: `Bearer ${token}` } }), options);
    const second = await authenticateRequest(new Request("http://x/", { headers: { authorization: `Bearer ${token}` } }), options);
    expect(second).toBe(first);
  });

  it("with() semantics: a route's own options verify for themselves, never reusing another options object's session", async () => {
    const f = await createFixtures();
    const everyone = specFor(f).options;
    const admins = { ...specFor(f).options, policies: [requireUser("admin")] };
    const adminRoute = withTurnkeySession((_request: Request, session, _context: { params: object }) => Response.json(identityOf(session)), admins, organizationFromParam("orgId"));
    const app = async (request: Request) => {
      const outcome = await authenticateRequest(request, everyone);
      if (outcome instanceof Response) return outcome;
      return adminRoute(request, { params: { orgId: "org-1" } });
    };
    await expectWithToReuseOnlyItsOwnSessions(clientOf(app), "/orgs/org-1/admin", f);
  });

  it("refuses bad arguments with a TypeError naming them", async () => {
    const f = await createFixtures();
    const options = specFor(f).options;
    expect(() => withTurnkeySession("handler" as never, options)).toThrow(TypeError);
    expect(() => withTurnkeySession(() => new Response(), options, "policy" as never)).toThrow(TypeError);
    expect(() => withTurnkeySession(() => new Response(), { ...options, realm: "" })).toThrow(/"realm"/);
    expect(() => withTurnkeySession(() => new Response(), { ...options, onError: {} as never })).toThrow(/onError/);
    await expect(authenticateRequest(new Request("http://x/"), { ...options, cookieName: "a b" })).rejects.toThrow(/"cookieName"/);
    await expect(authenticateRequest(new Request("http://x/"), options, { policies: ["x" as never] })).rejects.toThrow(TypeError);
  });

  it("uses no Node APIs and imports no framework (it must run on Workers, Deno, Bun and Next.js's Edge runtime)", async () => {
    const source = await readFile(new URL("../../src/adapters/fetch.ts", import.meta.url), "utf8");
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    expect(code).not.toMatch(/from "node:|require\(|\bprocess\.|\bBuffer\b|rawHeaders/);
    const imports = [...code.matchAll(/from "([^"]+)"/g)].map((match) => match[1]);
    expect(imports.every((specifier) => specifier?.startsWith("../"))).toBe(true);
  });
});

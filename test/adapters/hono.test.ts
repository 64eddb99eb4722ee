import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/hono.js";
import { definePolicy, isTurnkeyAuthError, organizationFromParam, requireUser } from "../../src/index.js";
import { fetchClient, honoApp, type HonoEnv } from "../helpers/adapters/app-helpers.js";
import { createFixtures, expectWithToReuseOnlyItsOwnSessions, identityOf, Probe, runAdapterSuite, specFor } from "./cases.js";
import { send } from "../helpers/adapters/http.js";
import { honoPathApp } from "../helpers/adapters/path-apps.js";
import { runPathSuite } from "./path-cases.js";

runAdapterSuite({ name: "hono", start: async (spec, probe) => fetchClient(honoApp(spec, probe)) });
// The same table with /whoami mounted as auth.protect(handler): one handler, no middleware chain.
runAdapterSuite({ name: "hono protect()", start: async (spec, probe) => fetchClient(honoApp(spec, probe, undefined, "protect")) });
runPathSuite({
  name: "hono",
  start: honoPathApp,
  routers: [{ label: "Hono's defaults" }, { label: "new Hono({ strict: false }), said with pathMatching", router: { strict: false }, pathMatching: { strict: false } }],
});

describe("hono adapter: specifics", () => {
  it("a forwarded refusal, answered by Hono's default error handling, is the refusal in the configured realm", async () => {
    const f = await createFixtures();
    const app = new Hono();
    app.get("/whoami", turnkeyAuth({ ...specFor(f).options, forwardErrors: true, realm: "wallets-api" }), (c) => c.json({ reached: true }));
    const reply = await fetchClient(app).request("/whoami", [["authorization", `Bearer ${await f.token({}, { expiresInSeconds: -60 })}`]]);
    expect(reply.status).toBe(401);
    expect(reply.header("www-authenticate")).toMatch(/^Bearer realm="wallets-api", error="invalid_token", error_description="The token has expired"$/);
    expect(reply.body).toEqual({ error: "token_expired", message: "The token has expired" });
  });

  it("protect(handler) runs the handler only for an admitted request, with its session, and checks its argument", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    const app = new Hono<HonoEnv>();
    let handled = 0;
    app.get("/me", auth.protect((c) => {
      handled += 1;
      return c.json({ userId: c.get("turnkey")?.userId });
    }));
    const refused = await app.request("/me");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="turnkey"');
    expect(handled).toBe(0);
    const token = await f.token();
    const admitted = await app.request("/me", { headers: { authorization: `Bearer ${token}` } });
    expect(admitted.status).toBe(200);
    expect(await admitted.json()).toEqual({ userId: "user-1" });
    expect(handled).toBe(1);
    expect(() => auth.protect("handler" as never)).toThrow(TypeError);
  });

  it("forwards as an HTTPException whose response is the JSON refusal with its challenge (Hono's default onError returns it)", async () => {
    const f = await createFixtures();
    const probe = new Probe();
    const app = honoApp(specFor(f, { options: { forwardErrors: true } }), probe);
    await app.request("/whoami");
    const thrown = probe.errors[0];
    expect(thrown).toBeInstanceOf(HTTPException);
    const exception = thrown as HTTPException;
    expect(isTurnkeyAuthError(exception.cause)).toBe(true);
    expect(exception.status).toBe(401);
    const response = exception.getResponse();
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="turnkey"');
    expect(await response.json()).toEqual({ error: "missing_token", message: "No session token was presented" });

    const bare = new Hono<HonoEnv>();
    bare.use(turnkeyAuth({ ...specFor(f).options, forwardErrors: true }));
    bare.get("/", (c) => c.text("reached"));
    const answered = await bare.request("/");
    expect(answered.status).toBe(401);
    expect(answered.headers.get("www-authenticate")).toBe('Bearer realm="turnkey"');
    expect(await answered.json()).toMatchObject({ error: "missing_token" });
  });

  it("c.get('turnkey') also works in an app that does not declare TurnkeyVariables (ContextVariableMap)", async () => {
    const f = await createFixtures();
    const app = new Hono();
    app.get("/", turnkeyAuth(specFor(f).options), (c) => c.json({ userId: c.get("turnkey")?.userId ?? null }));
    const response = await app.request("/", { headers: { authorization: `Bearer ${await f.token()}` } });
    expect(await response.json()).toEqual({ userId: "user-1" });
  });

  it("runs on @hono/node-server over real HTTP, where repeated Authorization headers arrive combined", async () => {
    const f = await createFixtures();
    const app = honoApp(specFor(f), new Probe());
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const token = await f.token();
      const ok = await send(port, "/orgs/org-1/whoami", [["authorization", `Bearer ${token}`]]);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ userId: "user-1", organizationId: "org-1" });
      const twice = await send(port, "/whoami", [["authorization", `Bearer ${token}`], ["authorization", `Bearer ${token}`]]);
      expect(twice.status).toBe(401);
      expect(twice.body.error).toBe("malformed_token");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("uses no Node APIs (it must run on Workers, Deno and Bun)", async () => {
    const source = await readFile(new URL("../../src/adapters/hono.ts", import.meta.url), "utf8");
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    expect(code).not.toMatch(/from "node:|require\(|\bprocess\.|\bBuffer\b|rawHeaders|\bc\.env\.incoming\b/);
    const imports = [...code.matchAll(/from "([^"]+)"/g)].map((match) => match[1]);
    expect(imports.every((specifier) => specifier === "hono" || specifier?.startsWith("hono/") || specifier?.startsWith("../"))).toBe(true);
  });

  it("with() reuses only sessions its own instance verified, never another turnkeyAuth's", async () => {
    const f = await createFixtures();
    const everyone = turnkeyAuth(specFor(f).options);
    const admins = turnkeyAuth({ ...specFor(f).options, policies: [requireUser("admin")] });
    const app = new Hono<HonoEnv>();
    app.use(everyone);
    app.get("/orgs/:orgId/admin", admins.with(organizationFromParam("orgId")), (c) => c.json(identityOf(c.get("turnkey"))));
    await expectWithToReuseOnlyItsOwnSessions(fetchClient(app), "/orgs/org-1/admin", f);
  });

  it("exposes the verifier and refuses bad options before serving", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    expect(auth.verifier.notarizerPublicKey).toBe(f.notarizer.publicKey);
    expect(() => auth.with(definePolicy("ok", () => true), "x" as never)).toThrow(TypeError);
    expect(() => turnkeyAuth({ ...specFor(f).options, onError: {} as never })).toThrow(/onError/);
    expect(() => turnkeyAuth({ ...specFor(f).options, pathMatching: { strict: "no" } as never })).toThrow(/"pathMatching"/);
  });
});

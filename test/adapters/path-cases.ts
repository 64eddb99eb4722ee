// Path policies through each real framework (issue 14, item 3): one list of request-target
// spellings, sent over raw TCP to the app of ./path-apps.ts (absolute-form targets, dot segments,
// `//` and `#` as written: an HTTP client library would normalise or refuse them). Each adapter's
// test file runs it with its framework.
import { beforeAll, describe, expect, it } from "vitest";
import { definePolicy, type PathMatching, type Policy } from "../../src/index.js";
import { createFixtures, type Fixtures } from "./cases.js";
import { sendRaw, type TestReply } from "../helpers/adapters/http.js";
import type { PathApp, PathAppSpec, RouterSettings, Served, StartPathApp } from "../helpers/adapters/path-apps.js";

export interface PathHarness {
  readonly name: "express" | "express 4" | "koa" | "fastify" | "hono" | "fetch";
  readonly start: StartPathApp;
  /** Router configurations to check against the adapter: the framework's defaults first. */
  readonly routers: readonly { label: string; router?: RouterSettings; pathMatching?: Partial<PathMatching> }[];
}

// @hono/node-server hands Hono the URL as the WHATWG parser resolves it when the target holds a raw
// dot segment or a `%`, or is in absolute-form: dot segments, raw or encoded, are gone before the
// router (and the adapter) see it, so Hono routes the resolved path, which the policy then judges.
const RESOLVES_DOT_SEGMENTS: readonly PathHarness["name"][] = ["hono", "fetch"];

interface PathCase {
  readonly target: string;
  /** Refused as `invalid_request` (400) wherever it reaches the adapter. */
  readonly ambiguous?: true;
  /** Holds a dot segment, raw or encoded, which a URL parser in front of the router may resolve ({@link RESOLVES_DOT_SEGMENTS}). */
  readonly dotSegment?: true;
  /** Frameworks that may answer 400 themselves (their server, or their router decoding a param) before the adapter runs. */
  readonly refusedBy?: readonly PathHarness["name"][];
}

// Express's router answers 400 when it cannot decode a route's param; find-my-way, when it cannot
// decode the path, before any hook.
const INVALID_ESCAPE_REFUSED_BY: readonly PathHarness["name"][] = ["express", "express 4", "fastify"];

/** Spellings of paths the rule below refuses: never may a refused route serve one. */
export const EVASIONS: readonly PathCase[] = [
  // The list.
  { target: "/ORGS/org-2/whoami" },
  { target: "/Admin/x" },
  { target: "http://x/admin/..", ambiguous: true, dotSegment: true },
  { target: "http://x/admin/%2e%2e", ambiguous: true, dotSegment: true },
  { target: "http://x:99999/orgs/org-2/whoami", ambiguous: true, refusedBy: ["fastify", "hono", "fetch"] },
  { target: "/admin/" },
  { target: "//admin/x", ambiguous: true },
  { target: "/admin;x" },
  { target: "/%61dmin/x" },
  { target: "/orgs/org-2%2fwhoami", ambiguous: true },
  { target: "/admin%00", ambiguous: true },
  { target: "/admin/./x", ambiguous: true, dotSegment: true },
  // Case and slashes.
  { target: "/ADMIN" },
  { target: "/aDmIn/X/" },
  { target: "/Orgs/Org-2/Whoami/" },
  { target: "/admin//x", ambiguous: true },
  { target: "/admin/x//", ambiguous: true },
  { target: "///admin", ambiguous: true },
  // Dot segments, raw and encoded, and what they would resolve to.
  { target: "/admin/..", ambiguous: true, dotSegment: true },
  { target: "/admin/%2e%2e", ambiguous: true, dotSegment: true },
  { target: "/admin/%2E%2e/", ambiguous: true, dotSegment: true },
  { target: "/admin/.%2e", ambiguous: true, dotSegment: true },
  { target: "/admin/%2e", ambiguous: true, dotSegment: true },
  { target: "/public/%2e%2e/admin", ambiguous: true, dotSegment: true },
  { target: "/public/x/../../admin", ambiguous: true, dotSegment: true },
  { target: "/public/..%2fadmin", ambiguous: true },
  { target: "/admin/%C0%AE%C0%AE", ambiguous: true, refusedBy: INVALID_ESCAPE_REFUSED_BY }, // overlong UTF-8 for ".."
  { target: "/admin/%252e%252e", ambiguous: true }, // double encoding
  // Encoded separators, escapes and controls.
  { target: "/admin/x%2Fy", ambiguous: true },
  { target: "/orgs/org-2%2Fwhoami", ambiguous: true },
  { target: "/admin%5cx", ambiguous: true },
  { target: "/admin\\x", ambiguous: true, refusedBy: ["hono", "fetch"] },
  { target: "/admin/x%3Fy", ambiguous: true },
  { target: "/admin/x%23y", ambiguous: true },
  { target: "/admin/%zz", ambiguous: true, refusedBy: INVALID_ESCAPE_REFUSED_BY },
  { target: "/admin/%C3", ambiguous: true, refusedBy: INVALID_ESCAPE_REFUSED_BY },
  { target: "/admin%0a/x", ambiguous: true },
  { target: "/admin#x", ambiguous: true },
  // Percent-encoded letters, other authorities, queries.
  { target: "/orgs/org-%32/whoami" },
  { target: "/%41DMIN/x" },
  { target: "/admin/a%3Ab" },
  { target: "http://x/orgs/org-2/whoami" },
  { target: "https://x:8443/admin/x" },
  { target: "HTTP://X:80/Admin/x?y", refusedBy: ["hono", "fetch"] }, // @hono/node-server takes only a lower-case scheme
  { target: "http://u@x/admin", ambiguous: true },
  { target: "http://[::1]/admin/x" },
  { target: "foo://x/admin", ambiguous: true, refusedBy: ["hono", "fetch"] },
  { target: "*", ambiguous: true, refusedBy: ["hono", "fetch"] },
  { target: "/admin?/public/x" },
];

/** Refuses `/admin`, everything under it and everything under `/orgs/org-2/`: the rule of the issue. */
export const refuseAdminAndOrg2: Policy = definePolicy("refuseAdminAndOrg2", ({ request }) => {
  const path = request.path;
  return !(path === "/admin" || path.startsWith("/admin/") || path.startsWith("/orgs/org-2/"));
});

const refusedServe = ({ route, params }: Served): boolean => route.startsWith("/admin") || params.orgId === "org-2";

function describeReply(target: string, reply: TestReply): string {
  return `${target} → ${reply.status} ${JSON.stringify(reply.body).slice(0, 120)}`;
}

function expectOurRefusal(reply: TestReply, label: string): void {
  expect(reply.body, label).toEqual({ error: "invalid_request", message: expect.any(String) });
  expect(reply.header("www-authenticate"), label).toMatch(/^Bearer realm="turnkey", error="invalid_request", error_description="[^"]+"$/);
}

/** Runs the path cases against one framework. */
export function runPathSuite(harness: PathHarness): void {
  describe(`${harness.name} adapter: path policies`, () => {
    let f: Fixtures;
    let authorization: [string, string][];
    beforeAll(async () => {
      f = await createFixtures();
      authorization = [["authorization", `Bearer ${await f.token()}`]];
    });
    const spec = (placement: PathAppSpec["placement"], policies: readonly Policy[], extra: Partial<PathAppSpec> = {}): PathAppSpec => ({
      options: { notarizerPublicKey: f.notarizer.publicKey, trustedOrganizations: ["org-1"], ...extra.options },
      policies,
      placement,
      ...(extra.router === undefined ? {} : { router: extra.router }),
    });

    async function withApp<T>(appSpec: PathAppSpec, use: (app: PathApp) => Promise<T>): Promise<T> {
      const app = await harness.start(appSpec);
      try {
        return await use(app);
      } finally {
        await app.close();
      }
    }

    for (const placement of ["app-wide", "route"] as const) {
      it(`no spelling of a refused path reaches its route (policy ${placement === "app-wide" ? "app-wide" : "on the routes"})`, async () => {
        await withApp(spec(placement, [refuseAdminAndOrg2]), async (app) => {
          expect((await sendRaw(app.port, "/public/x", authorization)).status).toBe(200);
          expect((await sendRaw(app.port, "/orgs/org-1/whoami", authorization)).status).toBe(200);
          expect((await sendRaw(app.port, "/admin/x", authorization)).status).toBe(403);
          for (const testCase of EVASIONS) {
            const reply = await sendRaw(app.port, testCase.target, authorization);
            const label = describeReply(testCase.target, reply);
            expect(app.served.filter(refusedServe), label).toEqual([]);
            expect([400, 403, 404], label).toContain(reply.status);
            if (reply.status === 403) expect(reply.body.error, label).toBe("forbidden");
            const resolved = testCase.dotSegment === true && RESOLVES_DOT_SEGMENTS.includes(harness.name);
            if (testCase.ambiguous !== true || resolved) continue;
            // Where the router sends it nowhere, a route's policies never run: the router's 404.
            expect(placement === "app-wide" ? [400] : [400, 404], label).toContain(reply.status);
            if (reply.status === 400 && !testCase.refusedBy?.includes(harness.name)) expectOurRefusal(reply, label);
          }
        });
      });
    }

    it("an ambiguous target the router dispatches is refused (400 invalid_request, with a challenge) on routes with policies only", async () => {
      await withApp(spec("route", [refuseAdminAndOrg2]), async (app) => {
        const reply = await sendRaw(app.port, "/admin/x%2Fy", authorization);
        expect(reply.status).toBe(400);
        expectOurRefusal(reply, describeReply("/admin/x%2Fy", reply));
        expect(app.served).toEqual([]);
      });
      // No policy on the route: nothing to judge the path, so no check and no cost.
      await withApp(spec("route", []), async (app) => {
        const reply = await sendRaw(app.port, "/admin/x%2Fy", authorization);
        expect(reply.status).toBe(200);
        expect(app.served).toEqual([{ route: "/admin/:page", params: { page: "x/y" } }]);
      });
    });

    for (const { label, router, pathMatching } of harness.routers) {
      it(`the policy sees one path for the spellings the router serves alike, another for those it serves nowhere (${label})`, async () => {
        const seen: string[] = [];
        const record = definePolicy("record", ({ request }) => (seen.push(request.path), true));
        const options = { notarizerPublicKey: f.notarizer.publicKey, trustedOrganizations: ["org-1"], ...(pathMatching === undefined ? {} : { pathMatching }) };
        await withApp({ options, policies: [record], placement: "app-wide", ...(router === undefined ? {} : { router }) }, async (app) => {
          for (const [base, spellings] of Object.entries(SPELLINGS)) {
            const outcomes: { spelling: string; path: string | undefined; served: string | undefined }[] = [];
            for (const spelling of [base, ...spellings.alike, ...spellings.caseOrSlashes]) {
              const [seenBefore, servedBefore] = [seen.length, app.served.length];
              const reply = await sendRaw(app.port, spelling, authorization);
              expect([200, 400, 404], `${spelling} → ${reply.status}`).toContain(reply.status);
              const served = app.served.length > servedBefore ? JSON.stringify(app.served.at(-1)) : undefined;
              outcomes.push({ spelling, path: seen.length > seenBefore ? seen.at(-1) : undefined, served });
            }
            const [own] = outcomes;
            expect(own?.served, base).toBeDefined();
            for (const outcome of outcomes) {
              const report = JSON.stringify(outcomes.map(({ spelling, path, served }) => [spelling, path, served]));
              // Served by the same route with the same params: the policy must have seen the same path.
              if (outcome.served === own?.served) expect(outcome.path, report).toBe(own?.path);
              // Differing only in case or slashes, and served by no route: the policy must see another path (or refuse it).
              else if (outcome.served === undefined && spellings.caseOrSlashes.includes(outcome.spelling) && outcome.path !== undefined) {
                expect(outcome.path, report).not.toBe(own?.path);
              }
            }
          }
        });
      });
    }
  });
}

/** Spellings of a path: `alike` ones that routers may serve as it, and ones differing only in case or slashes. */
const SPELLINGS: Readonly<Record<string, { alike: readonly string[]; caseOrSlashes: readonly string[] }>> = {
  "/admin/x": {
    alike: ["/%61dmin/x", "/admin/%78", "http://h/admin/x", "http://h:80/admin/x?q=1", "/admin/x?y", "/admin/x;v", "/admin;v/x"],
    caseOrSlashes: ["/ADMIN/x", "/Admin/X", "/admin/x/", "//admin/x", "/admin//x", "/admin/x//"],
  },
  "/admin/a:b@c": { alike: ["/admin/a%3Ab%40c", "/admin/a%3ab%40c", "/admin/a:b%40c"], caseOrSlashes: ["/ADMIN/A%3AB@C", "/admin/a%3Ab@c/"] },
  "/admin": { alike: ["http://h/admin", "/admin?x"], caseOrSlashes: ["/admin/", "/ADMIN", "//admin", "/admin//", "/Admin/"] },
  "/public/caf%C3%A9": { alike: ["/public/caf%c3%a9", "/public/caf%C3%A9?x"], caseOrSlashes: ["/PUBLIC/CAF%C3%A9", "/public/CAF%C3%89/", "/public//caf%C3%A9"] },
  "/orgs/org-1/whoami": { alike: ["/orgs/org-%31/whoami", "/orgs/%6Frg-1/whoami"], caseOrSlashes: ["/ORGS/org-1/whoami", "/orgs/ORG-1/whoami", "/orgs/org-1/whoami/"] },
};

// The Express adapter's tests, run once per supported major version (express.test.ts: Express 5,
// express4.test.ts: Express 4) against the same app (./apps.ts): the shared table of cases, then
// the specifics that hold on both versions, then `versionSpecific` in the same describe block.
import { describe, expect, it } from "vitest";
import { turnkeyAuth, type ExpressTurnkeyAuthOptions } from "../../src/adapters/express.js";
import { definePolicy, organizationFromParam, requireUser, type Policy } from "../../src/index.js";
import { expressApp, type ExpressModule } from "../helpers/adapters/app-helpers.js";
import { createFixtures, expectWithToReuseOnlyItsOwnSessions, identityOf, Probe, runAdapterSuite, specFor } from "./cases.js";
import { listen, withServer } from "../helpers/adapters/http.js";
import { expressPathApp } from "../helpers/adapters/path-apps.js";
import { runPathSuite } from "./path-cases.js";

/** `label` names the describe blocks: "<label> adapter: shared cases" and "<label> adapter: specifics". */
export function runExpressSuite(express: ExpressModule, label: "express" | "express 4", versionSpecific: () => void = () => {}): void {
  runAdapterSuite({ name: label, start: async (spec, probe) => listen(expressApp(express, spec, probe)) });
  runPathSuite({ name: label, start: expressPathApp(express), routers: [{ label: "Express's defaults" }] });

  describe(`${label} adapter: specifics`, () => {
    // Express 5 would also catch the rejection itself; Express 4 ignores a rejected middleware
    // promise, so this holds on both only if the adapter hands the error to next(err).
    it("an onError that rejects reaches the error middleware through next(err) (Express 4 ignores rejected middleware promises)", async () => {
      const f = await createFixtures();
      const probe = new Probe();
      const spec = specFor(f);
      const options: ExpressTurnkeyAuthOptions = {
        ...spec.options,
        onError: async () => {
          throw new Error("onError broke");
        },
      };
      await withServer(expressApp(express, spec, probe, options), async (server) => {
        const reply = await server.request("/whoami");
        expect(reply.status).toBe(500);
        expect(reply.body).toEqual({ errorPath: "onError broke" });
        expect(probe.handled).toBe(0);
      });
    });

    it("without an error middleware, Express's own final handler answers a forwarded error with its status and challenge, in the configured realm", async () => {
      const f = await createFixtures();
      const app = express();
      app.get("/whoami", turnkeyAuth({ ...specFor(f).options, forwardErrors: true, realm: "wallets-api" }), (_req, res) => {
        res.json({ reached: true });
      });
      await withServer(app, async (server) => {
        const reply = await server.request("/whoami", [["authorization", `Bearer ${await f.token({}, { expiresInSeconds: -60 })}`]]);
        expect(reply.status).toBe(401);
        expect(reply.header("www-authenticate")).toMatch(/^Bearer realm="wallets-api", error="invalid_token", error_description="The token has expired"$/);
        expect(reply.body).not.toEqual({ reached: true });
      });
    });

    it("with() reuses only sessions its own instance verified, never another turnkeyAuth's", async () => {
      const f = await createFixtures();
      const everyone = turnkeyAuth(specFor(f).options);
      const admins = turnkeyAuth({ ...specFor(f).options, policies: [requireUser("admin")] });
      const app = express();
      app.use(everyone);
      app.get("/orgs/:orgId/admin", admins.with(organizationFromParam("orgId")), (req, res) => {
        res.json(identityOf(req.turnkey));
      });
      await withServer(app, (server) => expectWithToReuseOnlyItsOwnSessions(server, "/orgs/org-1/admin", f));
    });

    it("with() finds the session on res.locals, not on req (Express gives every req a hidden class of its own), or on req without res.locals", async () => {
      const f = await createFixtures();
      const ours = (target: object) => Object.getOwnPropertySymbols(target).filter((key) => key.description?.startsWith("turnkey-session-auth")).length;
      let baseChecks = 0;
      const auth = turnkeyAuth({ ...specFor(f).options, policies: [definePolicy("counted", () => (baseChecks++, true))] });
      const app = express();
      app.use(auth);
      app.get("/orgs/:orgId", auth.with(organizationFromParam("orgId")), (req, res) => {
        res.json({ onReq: ours(req), onLocals: ours(res.locals) });
      });
      const bearer = [["authorization", `Bearer ${await f.token()}`]] as [string, string][];
      await withServer(app, async (server) => {
        expect((await server.request("/orgs/org-1", bearer)).body).toEqual({ onReq: 0, onLocals: 1 });
        expect(baseChecks).toBe(1); // with() reused the session: the app-wide policies ran once
      });
      // A bare router has no res.locals: the record goes on req, and is still reused.
      const router = express.Router();
      router.use(auth);
      router.get("/orgs/:orgId", auth.with(organizationFromParam("orgId")), (req, res) => {
        res.end(JSON.stringify({ onReq: ours(req), locals: typeof (res as { locals?: unknown }).locals }));
      });
      baseChecks = 0;
      await withServer((req, res) => router(req as never, res as never, () => res.writeHead(404).end()), async (server) => {
        expect((await server.request("/orgs/org-1", bearer)).body).toEqual({ onReq: 1, locals: "undefined" });
        expect(baseChecks).toBe(1);
      });
    });

    it("with() never takes another request's session from a res.locals the app shares between responses", async () => {
      const f = await createFixtures();
      const auth = turnkeyAuth(specFor(f).options);
      const shared = {};
      const app = express();
      app.use((_req, res, next) => {
        res.locals = shared; // unusual, but an app may assign res.locals itself
        next();
      });
      app.get("/signed-in", auth, (_req, res) => res.json({ ok: true }));
      app.get("/orgs/:orgId", auth.with(organizationFromParam("orgId")), (req, res) => res.json(identityOf(req.turnkey)));
      await withServer(app, async (server) => {
        expect((await server.request("/signed-in", [["authorization", `Bearer ${await f.token()}`]])).status).toBe(200);
        expect((await server.request("/orgs/org-1")).status).toBe(401); // no token of its own
      });
    });

    // Why the adapter does not read those settings: an express.Router() keeps its own defaults.
    it("'case sensitive routing' and 'strict routing' govern the app's routes only: a default express.Router() still serves /api/ADMIN/x/, and the policy refuses it", async () => {
      const f = await createFixtures();
      const build = (policies: Policy[]) => {
        const app = express();
        app.set("case sensitive routing", true);
        app.set("strict routing", true);
        const router = express.Router();
        router.get("/admin/:page", (req, res) => res.json({ page: req.params.page }));
        app.use(turnkeyAuth({ ...specFor(f).options, policies }));
        app.use("/api", router);
        return app;
      };
      const bearer = [["authorization", `Bearer ${await f.token()}`]] as [string, string][];
      const notAdmin = definePolicy("notAdmin", ({ request }) => !request.path.startsWith("/api/admin/") && request.path !== "/api/admin");
      for (const path of ["/api/ADMIN/x", "/api/Admin/x/", "/api/admin/x/"]) {
        await withServer(build([]), async (server) => expect((await server.request(path, bearer)).body, path).toEqual({ page: "x" }));
        await withServer(build([notAdmin]), async (server) => expect((await server.request(path, bearer)).status, path).toBe(403));
      }
    });

    versionSpecific();
  });
}

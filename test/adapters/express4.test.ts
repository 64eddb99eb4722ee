// The Express suite (./express-suite.ts) against Express 4 (the adapter supports
// `express@^4.17 || ^5`). Express 4 is installed under the alias `express4` (devDependency
// `"express4": "npm:express@^4"`); it is loaded with require so that the types stay Express 5's
// (@types/express): the adapter must work unchanged on both.
//
// Express 4 differs where the adapter could notice: `req.query` is a plain property filled by the
// `qs` ("extended") parser, nested for `?a[b]=1` (Express 5: a getter, "simple" parser, flat);
// `req.path` is relative to the mount point in both; a rejected middleware promise is ignored by
// Express 4 (never reaches the error handler); wildcard params are strings (Express 5: arrays).
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { definePolicy, organizationFromParam, type RequestLike } from "../../src/index.js";
import type { ExpressModule } from "../helpers/adapters/app-helpers.js";
import { createFixtures, identityOf, specFor } from "./cases.js";
import { runExpressSuite } from "./express-suite.js";
import { withServer } from "../helpers/adapters/http.js";

function loadExpress4(): ExpressModule {
  const require = createRequire(import.meta.url);
  try {
    return require("express4") as ExpressModule;
  } catch (error) {
    throw new Error('Express 4 is not installed: add "express4": "npm:express@^4" to devDependencies and run npm install', { cause: error });
  }
}

const express = loadExpress4();
const EXPRESS_VERSION = (createRequire(import.meta.url)("express4/package.json") as { version: string }).version;

describe("express4 alias", () => {
  it("is Express 4", () => {
    expect(EXPRESS_VERSION).toMatch(/^4\./);
  });
});

runExpressSuite(express, "express 4", () => {
  it("policies see Express 4's request as it is: qs-parsed query, the route's params", async () => {
    const f = await createFixtures();
    const seen: { path: string; query: unknown; params: unknown; method: string }[] = [];
    const record = definePolicy("record", ({ request }: { request: RequestLike }) => {
      seen.push({ path: request.path, query: request.query, params: { ...request.params }, method: request.method });
      return true;
    });
    const auth = turnkeyAuth({ ...specFor(f).options, policies: [record] });
    const app = express();
    const router = express.Router();
    router.get("/orgs/:orgId/*", auth.with(organizationFromParam("orgId")), (req, res) => {
      res.json(identityOf(req.turnkey));
    });
    app.use("/api", auth, router);
    await withServer(app, async (server) => {
      const reply = await server.request("/api/orgs/org-1/wallets/w-1?filter[chain]=eth&limit=2", [["authorization", `Bearer ${await f.token()}`]]);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ userId: "user-1", organizationId: "org-1" });
      // The app-wide instance ran its policies once (with() reused its session), before routing: no params yet.
      expect(seen).toEqual([{ path: expect.any(String), query: { filter: { chain: "eth" }, limit: "2" }, params: {}, method: "GET" }]);
      const other = await server.request("/api/orgs/org-2/wallets/w-1", [["authorization", `Bearer ${await f.token()}`]]);
      expect(other.status).toBe(403);
    });
  });

  // Express makes `req.path` relative to the mount point; policies get the whole path. (Express 5:
  // "express adapter mounted under a prefix" in test/hostile/adapters.test.ts.)
  it("a policy sees the whole path when the middleware is mounted under a prefix", async () => {
    const f = await createFixtures();
    const seen: string[] = [];
    const record = definePolicy("record", ({ request }: { request: RequestLike }) => {
      seen.push(request.path);
      return true;
    });
    const app = express();
    app.use("/api", turnkeyAuth({ ...specFor(f).options, policies: [record] }), (_req, res) => {
      res.json({ reached: true });
    });
    await withServer(app, async (server) => {
      await server.request("/api/orgs/org-1/wallets", [["authorization", `Bearer ${await f.token()}`]]);
      expect(seen).toEqual(["/api/orgs/org-1/wallets"]);
    });
  });
});

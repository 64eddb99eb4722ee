// The shared adapter table against Express 4 (the adapter supports `express@^4.17 || ^5`). Express 4
// is installed under the alias `express4` (devDependency `"express4": "npm:express@^4"`); it is
// loaded with require so that the types stay Express 5's (@types/express): the adapter must work
// unchanged on both.
//
// Express 4 differs where the adapter could notice: `req.query` is a plain property filled by the
// `qs` ("extended") parser, nested for `?a[b]=1` (Express 5: a getter, "simple" parser, flat);
// `req.path` is relative to the mount point in both; a rejected middleware promise is ignored by
// Express 4 (never reaches the error handler); wildcard params are strings (Express 5: arrays).
import { createRequire } from "node:module";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { describe, expect, it } from "vitest";
import { turnkeyAuth, type ExpressTurnkeyAuthOptions } from "../../src/adapters/express.js";
import { definePolicy, organizationFromParam, type RequestLike } from "../../src/index.js";
import { CUSTOM_ONERROR_STATUS, createFixtures, errorPathAnswer, identityOf, Probe, runAdapterSuite, specFor, type AppSpec, type Harness } from "./cases.js";
import { listen } from "./http.js";

type ExpressModule = typeof import("express");

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

function optionsFor(spec: AppSpec): ExpressTurnkeyAuthOptions {
  const options: ExpressTurnkeyAuthOptions = { ...spec.options };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (req) => req.get(tokenHeader);
  if (spec.customOnError) {
    options.onError = (error, _req, res) => {
      res.status(CUSTOM_ONERROR_STATUS).json({ custom: error.code });
    };
  }
  return options;
}

function buildApp(spec: AppSpec, probe: Probe, options = optionsFor(spec)) {
  const app = express();
  const auth = turnkeyAuth(options);
  const whoami: RequestHandler = (req, res) => {
    probe.handled += 1;
    res.json(identityOf(req.turnkey));
  };
  if (spec.global) {
    app.use(auth);
    app.get("/whoami", whoami);
  } else {
    app.get("/whoami", auth, whoami);
  }
  app.get("/orgs/:orgId/whoami", auth.with(organizationFromParam("orgId")), whoami);
  const errorPath: ErrorRequestHandler = (error, _req, res, _next) => {
    probe.errors.push(error);
    const answer = errorPathAnswer(error);
    res.status(answer.status).json(answer.body);
  };
  app.use(errorPath);
  return app;
}

const harness: Harness = {
  name: "express 4",
  start: async (spec, probe) => listen(buildApp(spec, probe)),
};

describe("express4 alias", () => {
  it("is Express 4", () => {
    expect(EXPRESS_VERSION).toMatch(/^4\./);
  });
});

runAdapterSuite(harness);

describe("express 4 adapter: specifics", () => {
  it("an onError that rejects still reaches the error middleware (Express 4 ignores rejected middleware promises)", async () => {
    const f = await createFixtures();
    const probe = new Probe();
    const spec = specFor(f);
    const options: ExpressTurnkeyAuthOptions = {
      ...spec.options,
      onError: async () => {
        throw new Error("onError broke");
      },
    };
    const server = await listen(buildApp(spec, probe, options));
    try {
      const reply = await server.request("/whoami");
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({ errorPath: "onError broke" });
      expect(probe.handled).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("without an error middleware, Express 4's final handler answers a forwarded error with its status", async () => {
    const f = await createFixtures();
    const app = express();
    app.get("/whoami", turnkeyAuth({ ...specFor(f).options, forwardErrors: true }), (_req, res) => {
      res.json({ reached: true });
    });
    const server = await listen(app);
    try {
      const reply = await server.request("/whoami", [["authorization", `Bearer ${await f.token({}, { expiresInSeconds: -60 })}`]]);
      expect(reply.status).toBe(401);
      expect(reply.body).not.toEqual({ reached: true });
    } finally {
      await server.close();
    }
  });

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
    const server = await listen(app);
    try {
      const reply = await server.request("/api/orgs/org-1/wallets/w-1?filter[chain]=eth&limit=2", [["authorization", `Bearer ${await f.token()}`]]);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ userId: "user-1", organizationId: "org-1" });
      // The app-wide instance ran its policies once (with() reused its session), before routing: no params yet.
      expect(seen).toEqual([{ path: expect.any(String), query: { filter: { chain: "eth" }, limit: "2" }, params: {}, method: "GET" }]);
      const other = await server.request("/api/orgs/org-2/wallets/w-1", [["authorization", `Bearer ${await f.token()}`]]);
      expect(other.status).toBe(403);
    } finally {
      await server.close();
    }
  });

  // Express makes `req.path` relative to the mount point; policies get the whole path.
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
    const server = await listen(app);
    try {
      await server.request("/api/orgs/org-1/wallets", [["authorization", `Bearer ${await f.token()}`]]);
      expect(seen).toEqual(["/api/orgs/org-1/wallets"]);
    } finally {
      await server.close();
    }
  });
});

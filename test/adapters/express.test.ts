import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { describe, expect, it } from "vitest";
import { turnkeyAuth, type ExpressTurnkeyAuthOptions } from "../../src/adapters/express.js";
import { organizationFromParam, requireUser } from "../../src/index.js";
import { CUSTOM_ONERROR_STATUS, createFixtures, errorPathAnswer, identityOf, Probe, runAdapterSuite, specFor, type AppSpec, type Harness } from "./cases.js";
import { listen } from "./http.js";

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

function buildApp(spec: AppSpec, probe: Probe, options = optionsFor(spec)): express.Express {
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
  // Express's error path: error-handling middleware (four parameters).
  const errorPath: ErrorRequestHandler = (error, _req, res, _next) => {
    probe.errors.push(error);
    const answer = errorPathAnswer(error);
    res.status(answer.status).json(answer.body);
  };
  app.use(errorPath);
  return app;
}

const harness: Harness = {
  name: "express",
  start: async (spec, probe) => listen(buildApp(spec, probe)),
};

runAdapterSuite(harness);

describe("express adapter: specifics", () => {
  it("an onError that throws hands its error to next(err) (Express 4 would drop a rejected promise)", async () => {
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

  it("without an error middleware, Express's own handler answers a forwarded error with its status", async () => {
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

  it("with() reuses only sessions its own instance verified, never another turnkeyAuth's", async () => {
    const f = await createFixtures();
    const everyone = turnkeyAuth(specFor(f).options);
    const admins = turnkeyAuth({ ...specFor(f).options, policies: [requireUser("admin")] });
    const app = express();
    app.use(everyone);
    app.get("/orgs/:orgId/admin", admins.with(organizationFromParam("orgId")), (req, res) => {
      res.json(identityOf(req.turnkey));
    });
    const server = await listen(app);
    try {
      const user = await server.request("/orgs/org-1/admin", [["authorization", `Bearer ${await f.token()}`]]);
      expect(user.status).toBe(403);
      expect(user.body.message).toContain("requireUser");
      const admin = await server.request("/orgs/org-1/admin", [["authorization", `Bearer ${await f.token({ user_id: "admin" })}`]]);
      expect(admin.body).toEqual({ userId: "admin", organizationId: "org-1" });
    } finally {
      await server.close();
    }
  });

  it("exposes the verifier and refuses bad options before serving", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    expect(auth.verifier.notarizerPublicKey).toBe(f.notarizer.publicKey);
    expect(() => auth.with("orgId" as never)).toThrow(TypeError);
    expect(() => turnkeyAuth({ ...specFor(f).options, onError: "log" as never })).toThrow(/onError/);
    expect(() => turnkeyAuth({} as never)).toThrow(/trustedOrganizations/);
  });
});

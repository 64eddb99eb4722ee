import Koa, { type Context, type Middleware } from "koa";
import { describe, expect, it } from "vitest";
import { turnkeyAuth, type KoaTurnkeyAuthOptions } from "../../src/adapters/koa.js";
import { definePolicy, organizationFromParam, requireUser } from "../../src/index.js";
import { CUSTOM_ONERROR_STATUS, createFixtures, errorPathAnswer, identityOf, Probe, runAdapterSuite, specFor, type AppSpec, type Harness } from "./cases.js";
import { listen } from "./http.js";

function optionsFor(spec: AppSpec): KoaTurnkeyAuthOptions {
  const options: KoaTurnkeyAuthOptions = { ...spec.options };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (ctx) => ctx.get(tokenHeader) || undefined;
  if (spec.customOnError) {
    options.onError = (error, ctx) => {
      ctx.status = CUSTOM_ONERROR_STATUS;
      ctx.body = { custom: error.code };
    };
  }
  return options;
}

const ORG_ROUTE = /^\/orgs\/([^/]+)\/whoami$/;

// Koa has no router of its own; this stands in for @koa/router, which sets `ctx.params`.
function routes(spec: AppSpec, auth: ReturnType<typeof turnkeyAuth>, whoami: (ctx: Context) => void): Middleware {
  const guarded = auth.with(organizationFromParam("orgId"));
  return async (ctx, next) => {
    if (ctx.path === "/whoami") return spec.global ? whoami(ctx) : auth(ctx, async () => whoami(ctx));
    const match = ORG_ROUTE.exec(ctx.path);
    if (match === null) return next();
    (ctx as Context & { params: Record<string, string> }).params = { orgId: decodeURIComponent(match[1] as string) };
    return guarded(ctx, async () => whoami(ctx));
  };
}

function buildApp(spec: AppSpec, probe: Probe, options = optionsFor(spec)): Koa {
  const app = new Koa();
  // Koa's error path: an upstream middleware catching what downstream throws.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      probe.errors.push(error);
      const answer = errorPathAnswer(error);
      ctx.status = answer.status;
      ctx.body = answer.body;
    }
  });
  const auth = turnkeyAuth(options);
  if (spec.global) app.use(auth);
  app.use(
    routes(spec, auth, (ctx) => {
      probe.handled += 1;
      ctx.body = identityOf(ctx.state.turnkey);
    }),
  );
  return app;
}

const harness: Harness = {
  name: "koa",
  start: async (spec, probe) => listen(buildApp(spec, probe).callback()),
};

runAdapterSuite(harness);

describe("koa adapter: specifics", () => {
  it("a forwarded error carries status and expose (4xx shown, 5xx hidden) for Koa's default handler", async () => {
    const f = await createFixtures();
    const app = new Koa();
    app.silent = true;
    const thrown = definePolicy("lookupOwner", () => {
      throw new Error("database down");
    });
    app.use(turnkeyAuth({ ...specFor(f).options, forwardErrors: true, policies: [thrown] }));
    app.use((ctx) => {
      ctx.body = { reached: true };
    });
    const server = await listen(app.callback());
    try {
      const missing = await server.request("/");
      expect(missing.status).toBe(401);
      expect(missing.body).toBe("No session token was presented");
      const broken = await server.request("/", [["authorization", `Bearer ${await f.token()}`]]);
      expect(broken.status).toBe(503);
      expect(broken.body).toBe("Service Unavailable");
    } finally {
      await server.close();
    }
  });

  it("without a router, route params are empty: organizationFromParam denies (403), never 500", async () => {
    const f = await createFixtures();
    const app = new Koa();
    app.use(turnkeyAuth({ ...specFor(f).options, policies: [organizationFromParam("orgId")] }));
    app.use((ctx) => {
      ctx.body = { reached: true };
    });
    const server = await listen(app.callback());
    try {
      const reply = await server.request("/orgs/org-1/whoami", [["authorization", `Bearer ${await f.token()}`]]);
      expect(reply.status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it("with() reuses only sessions its own instance verified, never another turnkeyAuth's", async () => {
    const f = await createFixtures();
    const everyone = turnkeyAuth(specFor(f).options);
    const admins = turnkeyAuth({ ...specFor(f).options, policies: [requireUser("admin")] });
    const app = new Koa();
    app.use(everyone);
    app.use(admins.with());
    app.use((ctx) => {
      ctx.body = identityOf(ctx.state.turnkey);
    });
    const server = await listen(app.callback());
    try {
      const user = await server.request("/", [["authorization", `Bearer ${await f.token()}`]]);
      expect(user.status).toBe(403);
      expect(user.body.message).toContain("requireUser");
      const admin = await server.request("/", [["authorization", `Bearer ${await f.token({ user_id: "admin" })}`]]);
      expect(admin.body).toEqual({ userId: "admin", organizationId: "org-1" });
    } finally {
      await server.close();
    }
  });

  it("exposes the verifier and refuses bad options before serving", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    expect(auth.verifier.notarizerPublicKey).toBe(f.notarizer.publicKey);
    expect(() => auth.with(null as never)).toThrow(TypeError);
    expect(() => turnkeyAuth({ ...specFor(f).options, onError: 1 as never })).toThrow(/onError/);
  });
});

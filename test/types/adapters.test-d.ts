import type { Request as ExpressRequest, RequestHandler } from "express";
import express from "express";
import Fastify, { type FastifyRequest, type onRequestHookHandler } from "fastify";
import { Hono } from "hono";
import Router, { type RouterContext } from "@koa/router";
import Koa, { type Context as KoaContext, type DefaultState, type Middleware as KoaMiddleware } from "koa";
import { describe, expectTypeOf, it } from "vitest";
import { turnkeyAuth as expressAuth, type ExpressTurnkeyAuthOptions } from "../../src/adapters/express.js";
import { turnkeyAuth as fastifyAuth } from "../../src/adapters/fastify.js";
import { turnkeyAuth as honoAuth, type TurnkeyVariables } from "../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth } from "../../src/adapters/koa.js";
import { organizationFromParam, type SessionVerifier, type TurnkeyAuthError, type TurnkeySession } from "../../src/index.js";

const options = { trustedOrganizations: "any" } as const;

describe("express", () => {
  it("req.turnkey is an optional TurnkeySession", () => {
    expectTypeOf<ExpressRequest["turnkey"]>().toEqualTypeOf<TurnkeySession | undefined>();
  });

  it("the middleware and auth.with() are RequestHandlers that keep the route's params typed", () => {
    const auth = expressAuth(options);
    expectTypeOf(auth).toExtend<RequestHandler>();
    expectTypeOf(auth.with(organizationFromParam("orgId"))).toExtend<RequestHandler>();
    expectTypeOf(auth.verifier).toEqualTypeOf<SessionVerifier>();
    const app = express();
    app.use(auth);
    app.get("/orgs/:orgId", auth, auth.with(), (req, res) => {
      expectTypeOf(req.params.orgId).toBeString();
      expectTypeOf(req.turnkey).toEqualTypeOf<TurnkeySession | undefined>();
      res.end();
    });
  });

  it("onError gets the error and Express's own objects; getToken gets the Express request", () => {
    expectTypeOf<NonNullable<ExpressTurnkeyAuthOptions["onError"]>>().parameter(0).toEqualTypeOf<TurnkeyAuthError>();
    expectTypeOf<NonNullable<ExpressTurnkeyAuthOptions["getToken"]>>().parameter(0).toEqualTypeOf<ExpressRequest>();
    // @ts-expect-error trustedOrganizations is required (unless a verifier is given)
    expressAuth({});
  });

  it("pathMatching takes some of PathMatching's booleans, in every adapter", () => {
    expressAuth({ ...options, pathMatching: { caseSensitive: true } });
    koaAuth({ ...options, pathMatching: { caseSensitive: true, strict: true } });
    honoAuth({ ...options, pathMatching: { strict: false } });
    // @ts-expect-error an unknown setting
    expressAuth({ ...options, pathMatching: { sensitive: true } });
    // @ts-expect-error booleans only
    koaAuth({ ...options, pathMatching: { strict: "yes" } });
  });
});

describe("fastify", () => {
  it("request.turnkey is TurnkeySession | null", () => {
    expectTypeOf<FastifyRequest["turnkey"]>().toEqualTypeOf<TurnkeySession | null>();
  });

  it("app.turnkey.authenticate() returns a hook usable in onRequest and preHandler", async () => {
    const app = Fastify();
    await app.register(fastifyAuth, { ...options, global: true });
    expectTypeOf(app.turnkey.authenticate()).toEqualTypeOf<onRequestHookHandler>();
    expectTypeOf(app.turnkey.verifier).toEqualTypeOf<SessionVerifier>();
    app.get("/a", { onRequest: app.turnkey.authenticate([organizationFromParam("orgId")]) }, async (request) => {
      expectTypeOf(request.turnkey).toEqualTypeOf<TurnkeySession | null>();
      return request.turnkey?.userId;
    });
    app.get("/b", { preHandler: [app.turnkey.authenticate()] }, async () => "ok");
    // @ts-expect-error policies are functions
    app.turnkey.authenticate(["orgId"]);
  });
});

describe("koa", () => {
  it("ctx.state.turnkey is an optional TurnkeySession", () => {
    expectTypeOf<KoaContext["state"]["turnkey"]>().toEqualTypeOf<TurnkeySession | undefined>();
  });

  it("the middleware and auth.with() are Koa middleware", () => {
    const auth = koaAuth({ ...options, onError: (error, ctx) => expectTypeOf(ctx).toEqualTypeOf<KoaContext>() });
    expectTypeOf(auth).toExtend<KoaMiddleware>();
    new Koa().use(auth).use(auth.with(organizationFromParam("orgId")));
    // Apps with their own state type accept it too, and keep both.
    new Koa<{ requestId: string }>().use(auth).use((ctx) => {
      expectTypeOf(ctx.state.requestId).toBeString();
      expectTypeOf(ctx.state.turnkey).toEqualTypeOf<TurnkeySession | undefined>();
    });
  });
});

describe("koa protect()", () => {
  it("types the handler's ctx.state.turnkey, and ctx.params when given @koa/router's context", () => {
    const auth = koaAuth(options);
    const router = new Router();
    router.get("/me", auth.protect((ctx) => {
      expectTypeOf(ctx.state.turnkey).toEqualTypeOf<TurnkeySession | undefined>();
    }));
    router.get("/orgs/:orgId/me", auth.protect<DefaultState, RouterContext>((ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<Record<string, string>>();
    }));
    expectTypeOf(auth.protect(() => undefined)).toExtend<KoaMiddleware>();
    // @ts-expect-error protect takes a middleware function
    auth.protect("handler");
  });
});

describe("hono", () => {
  it("c.get('turnkey') is TurnkeySession | undefined with TurnkeyVariables", () => {
    const app = new Hono<{ Variables: TurnkeyVariables }>();
    const auth = honoAuth(options);
    app.get("/orgs/:orgId", auth, auth.with(organizationFromParam("orgId")), (c) => {
      expectTypeOf(c.get("turnkey")).toEqualTypeOf<TurnkeySession | undefined>();
      expectTypeOf(c.var.turnkey).toEqualTypeOf<TurnkeySession | undefined>();
      return c.text("ok");
    });
  });

  it("apps with their own bindings and variables keep them", () => {
    const app = new Hono<{ Bindings: { DB: string }; Variables: TurnkeyVariables & { requestId: string } }>();
    app.use(honoAuth(options)).get("/", (c) => {
      expectTypeOf(c.get("requestId")).toBeString();
      expectTypeOf(c.env.DB).toBeString();
      expectTypeOf(c.get("turnkey")).toEqualTypeOf<TurnkeySession | undefined>();
      return c.text("ok");
    });
  });

  it("and through ContextVariableMap in an app without declared variables", () => {
    new Hono().use(honoAuth(options)).get("/", (c) => {
      expectTypeOf(c.get("turnkey")).toEqualTypeOf<TurnkeySession | undefined>();
      return c.text("ok");
    });
  });

  it("protect(handler) types the session variable, and the route's params when given its path", () => {
    const app = new Hono<{ Variables: TurnkeyVariables }>();
    const auth = honoAuth(options);
    app.get("/me", auth.protect((c) => c.json({ userId: c.get("turnkey")?.userId })));
    app.get("/orgs/:orgId/me", auth.protect<"/orgs/:orgId/me">((c) => {
      expectTypeOf(c.req.param("orgId")).toEqualTypeOf<string>();
      expectTypeOf(c.get("turnkey")).toEqualTypeOf<TurnkeySession | undefined>();
      return c.json({ userId: c.get("turnkey")?.userId });
    }));
    // @ts-expect-error protect takes a handler
    auth.protect("handler");
  });

  it("onError returns a Response, or nothing for the default answer", () => {
    honoAuth({ ...options, onError: () => undefined });
    // @ts-expect-error anything else is no answer
    honoAuth({ ...options, onError: () => "refused" });
    honoAuth({ ...options, onError: (error, c) => c.json({ code: error.code }, error.status) });
  });
});

// The same small app in each framework, for the production features: hooks, an `onError` that
// only observes, per-route `{ optional, policies }`, `sessionOf`. Routes:
// - GET /me: the middleware, then a handler answering `{ userId: sessionOf(req).userId }`;
// - GET /feed: `with({ optional: true })` (Fastify `authenticate({ optional: true })`), answering identityOf;
// - GET /orgs/:orgId/me: `with({ policies: [organizationFromParam("orgId")] })`;
// - GET /typo/:org/me: `with(organizationFromParam("orgId"))`, a parameter the route does not have;
// - GET /unguarded: no middleware, a handler calling sessionOf (the error path answers 500 with its message).
import express, { type ErrorRequestHandler } from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa, { type Context as KoaContext } from "koa";
import { sessionOf as expressSession, turnkeyAuth as expressAuth } from "../../../src/adapters/express.js";
import { sessionOf as fastifySession, turnkeyAuth as fastifyAuth } from "../../../src/adapters/fastify.js";
import { sessionOf as honoSession, turnkeyAuth as honoAuth } from "../../../src/adapters/hono.js";
import { sessionOf as koaSession, turnkeyAuth as koaAuth } from "../../../src/adapters/koa.js";
import { organizationFromParam, type AuthHooks, type MeterLike, type TurnkeyAuthError } from "../../../src/index.js";
import { fetchClient, injectClient } from "./app-helpers.js";
import { identityOf, type Client, type SharedOptions } from "../../adapters/cases.js";
import { listen } from "./http.js";

/** An `onError` that answers nothing, at once or after a wait: the adapter must answer by default. */
export type SilentOnError = "sync" | "async";

export interface ProductionSpec {
  readonly options: SharedOptions & AuthHooks<unknown> & { meter?: MeterLike };
  readonly silentOnError?: SilentOnError;
  /** Where the silent onError records what it saw. */
  readonly seen?: TurnkeyAuthError[];
}

export interface ProductionHarness {
  readonly name: string;
  start(spec: ProductionSpec): Promise<Client>;
}

function silent(spec: ProductionSpec): ((error: TurnkeyAuthError) => void | Promise<void>) | undefined {
  if (spec.silentOnError === undefined) return undefined;
  return spec.silentOnError === "sync"
    ? (error) => void spec.seen?.push(error)
    : async (error) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        spec.seen?.push(error);
      };
}

const errorBody = (error: unknown) => ({ errorPath: error instanceof Error ? error.message : String(error) });

const expressHarness: ProductionHarness = {
  name: "express",
  async start(spec) {
    const onError = silent(spec);
    const auth = expressAuth({ ...spec.options, ...(onError === undefined ? {} : { onError }) });
    const app = express();
    app.get("/me", auth, (req, res) => res.json({ userId: expressSession(req).userId }));
    app.get("/feed", auth.with({ optional: true }), (req, res) => res.json(identityOf(req.turnkey)));
    app.get("/orgs/:orgId/me", auth.with({ policies: [organizationFromParam("orgId")] }), (req, res) => res.json(identityOf(req.turnkey)));
    app.get("/typo/:org/me", auth.with(organizationFromParam("orgId")), (req, res) => res.json(identityOf(req.turnkey)));
    app.get("/unguarded", (req, res) => res.json({ userId: expressSession(req).userId }));
    const errorPath: ErrorRequestHandler = (error, _req, res, _next) => res.status(500).json(errorBody(error));
    app.use(errorPath);
    return listen(app);
  },
};

const koaHarness: ProductionHarness = {
  name: "koa",
  async start(spec) {
    const onError = silent(spec);
    const auth = koaAuth({ ...spec.options, ...(onError === undefined ? {} : { onError }) });
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 500;
        ctx.body = errorBody(error);
      }
    });
    const feed = auth.with({ optional: true });
    const org = auth.with({ policies: [organizationFromParam("orgId")] });
    const typo = auth.with(organizationFromParam("orgId"));
    const identity = async (ctx: KoaContext) => void (ctx.body = identityOf(ctx.state.turnkey));
    // A stand-in for @koa/router, which sets ctx.params.
    app.use(async (ctx, next) => {
      const [, first, second] = ctx.path.split("/");
      if (ctx.path === "/me") return auth(ctx, async () => void (ctx.body = { userId: koaSession(ctx).userId }));
      if (ctx.path === "/feed") return feed(ctx, () => identity(ctx));
      if (ctx.path === "/unguarded") return void (ctx.body = { userId: koaSession(ctx).userId });
      if (first === "orgs") (ctx as KoaContext & { params: object }).params = { orgId: second };
      if (first === "orgs") return org(ctx, () => identity(ctx));
      if (first === "typo") (ctx as KoaContext & { params: object }).params = { org: second };
      if (first === "typo") return typo(ctx, () => identity(ctx));
      return next();
    });
    return listen(app.callback());
  },
};

const fastifyHarness: ProductionHarness = {
  name: "fastify",
  async start(spec) {
    const onError = silent(spec);
    const app = Fastify();
    app.setErrorHandler((error, _request, reply) => reply.code(500).send(errorBody(error)));
    await app.register(fastifyAuth, { ...spec.options, ...(onError === undefined ? {} : { onError }) });
    app.get("/me", { onRequest: app.turnkey.authenticate() }, async (request) => ({ userId: fastifySession(request).userId }));
    app.get("/feed", { onRequest: app.turnkey.authenticate({ optional: true }) }, async (request) => identityOf(request.turnkey));
    app.get("/orgs/:orgId/me", { onRequest: app.turnkey.authenticate({ policies: [organizationFromParam("orgId")] }) }, async (request) => identityOf(request.turnkey));
    app.get("/typo/:org/me", { onRequest: app.turnkey.authenticate([organizationFromParam("orgId")]) }, async (request) => identityOf(request.turnkey));
    app.get("/unguarded", async (request) => ({ userId: fastifySession(request).userId }));
    await app.ready();
    return injectClient(app);
  },
};

const honoHarness: ProductionHarness = {
  name: "hono",
  async start(spec) {
    const onError = silent(spec);
    const auth = honoAuth({ ...spec.options, ...(onError === undefined ? {} : { onError }) });
    const app = new Hono();
    app.onError((error, c) => c.json(errorBody(error), 500));
    app.get("/me", auth, (c) => c.json({ userId: honoSession(c).userId }));
    app.get("/feed", auth.with({ optional: true }), (c) => c.json(identityOf(c.get("turnkey"))));
    app.get("/orgs/:orgId/me", auth.with({ policies: [organizationFromParam("orgId")] }), (c) => c.json(identityOf(c.get("turnkey"))));
    app.get("/typo/:org/me", auth.with(organizationFromParam("orgId")), (c) => c.json(identityOf(c.get("turnkey"))));
    app.get("/unguarded", (c) => c.json({ userId: honoSession(c).userId }));
    return fetchClient(app);
  },
};

export const PRODUCTION_HARNESSES: readonly ProductionHarness[] = [expressHarness, koaHarness, fastifyHarness, honoHarness];

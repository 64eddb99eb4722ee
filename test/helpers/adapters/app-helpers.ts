// The one small app (see AppSpec in ./cases.ts) in each framework's idiom, and how tests reach the
// apps that need no real server: Fastify through `inject`, Hono through `app.request`. The adapter
// tests (test/adapters) and the hostile servers (test/hostile/servers.ts) both build these.
import type { Express, ErrorRequestHandler, RequestHandler } from "express";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { Hono, type MiddlewareHandler } from "hono";
import Koa, { type Context as KoaContext, type Middleware } from "koa";
import { turnkeyAuth as expressAuth, type ExpressTurnkeyAuthOptions } from "../../../src/adapters/express.js";
import { turnkeyAuth as fastifyAuth, type FastifyTurnkeyAuthOptions } from "../../../src/adapters/fastify.js";
import { turnkeyAuth as honoAuth, type HonoTurnkeyAuthOptions, type TurnkeyVariables } from "../../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth, type KoaTurnkeyAuthOptions } from "../../../src/adapters/koa.js";
import { organizationFromParam, type Policy } from "../../../src/index.js";
import { CUSTOM_ONERROR_STATUS, errorPathAnswer, identityOf, type AppSpec, type Client, type HeaderPairs, type Probe } from "../../adapters/cases.js";
import { replyOf } from "./http.js";

/** Express 5 (`express`) or Express 4 (the `express4` alias), typed as Express 5 (@types/express). */
export type ExpressModule = typeof import("express");

/** Express and Hono route alike (`use(handler)`, `get(path, ...handlers)`): the app's two routes for both. */
interface UseAndGet<H> {
  use(handler: H): unknown;
  get(path: string, ...handlers: H[]): unknown;
}

/** How a test app mounts its protected /whoami: the middleware then the handler, or `auth.protect(handler)` (Koa, Hono). */
export type Routing = "middleware" | "protect";

function routeWhoami<H>(app: UseAndGet<H>, global: boolean, auth: H & { with(...policies: Policy[]): H }, whoami: H): void {
  if (global) {
    app.use(auth);
    app.get("/whoami", whoami);
  } else {
    app.get("/whoami", auth, whoami);
  }
  app.get("/orgs/:orgId/whoami", auth.with(organizationFromParam("orgId")), whoami);
}

// ---------------------------------------------------------------------------------------------
// Express

export function expressOptionsFor(spec: AppSpec): ExpressTurnkeyAuthOptions {
  const options: ExpressTurnkeyAuthOptions = { ...spec.options };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (req) => req.get(tokenHeader);
  if (spec.customOnError) {
    options.onError = (error, _req, res) => {
      res.status(CUSTOM_ONERROR_STATUS).json({ custom: error.code, challenge: error.wwwAuthenticate });
    };
  }
  return options;
}

export function expressApp(express: ExpressModule, spec: AppSpec, probe: Probe, options = expressOptionsFor(spec)): Express {
  const app = express();
  app.use((req, res, next) => {
    res.on("finish", () => {
      if (res.statusCode !== 200 && req.turnkey !== undefined) probe.sessionsOnRefusals += 1;
    });
    next();
  });
  const auth = expressAuth(options);
  const whoami: RequestHandler = (req, res) => {
    probe.handled += 1;
    res.json(identityOf(req.turnkey));
  };
  routeWhoami<RequestHandler>(app, spec.global, auth, whoami);
  // Express's error path: error-handling middleware (four parameters).
  const errorPath: ErrorRequestHandler = (error, _req, res, _next) => {
    probe.errors.push(error);
    const answer = errorPathAnswer(error);
    res.status(answer.status).json(answer.body);
  };
  app.use(errorPath);
  return app;
}

// ---------------------------------------------------------------------------------------------
// Koa

export function koaOptionsFor(spec: AppSpec): KoaTurnkeyAuthOptions {
  const options: KoaTurnkeyAuthOptions = { ...spec.options };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (ctx) => ctx.get(tokenHeader) || undefined;
  if (spec.customOnError) {
    options.onError = (error, ctx) => {
      ctx.status = CUSTOM_ONERROR_STATUS;
      ctx.body = { custom: error.code, challenge: error.wwwAuthenticate };
    };
  }
  return options;
}

const ORG_ROUTE = /^\/orgs\/([^/]+)\/whoami$/;

// Koa has no router of its own; this stands in for @koa/router, which sets `ctx.params`.
function koaRoutes(spec: AppSpec, auth: ReturnType<typeof koaAuth>, whoami: (ctx: KoaContext) => void, routing: Routing): Middleware {
  const guarded = auth.with(organizationFromParam("orgId"));
  const protectedWhoami = auth.protect(whoami);
  return async (ctx, next) => {
    if (ctx.path === "/whoami") {
      if (spec.global) return whoami(ctx);
      return routing === "protect" ? protectedWhoami(ctx, next) : auth(ctx, async () => whoami(ctx));
    }
    const match = ORG_ROUTE.exec(ctx.path);
    if (match === null) return next();
    (ctx as KoaContext & { params: Record<string, string> }).params = { orgId: decodeURIComponent(match[1] as string) };
    return guarded(ctx, async () => whoami(ctx));
  };
}

/** `routing: "protect"` mounts /whoami as `auth.protect(whoami)` instead of `auth` then `whoami` (when not global). */
export function koaApp(spec: AppSpec, probe: Probe, options = koaOptionsFor(spec), routing: Routing = "middleware"): Koa {
  const app = new Koa();
  app.silent = true;
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
    if (ctx.status !== 200 && ctx.state.turnkey !== undefined) probe.sessionsOnRefusals += 1;
  });
  const auth = koaAuth(options);
  if (spec.global) app.use(auth);
  app.use(
    koaRoutes(spec, auth, (ctx) => {
      probe.handled += 1;
      ctx.body = identityOf(ctx.state.turnkey);
    }, routing),
  );
  return app;
}

// ---------------------------------------------------------------------------------------------
// Fastify

export function fastifyOptionsFor(spec: AppSpec): FastifyTurnkeyAuthOptions {
  const options: FastifyTurnkeyAuthOptions = { ...spec.options, global: spec.global };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (request) => request.headers[tokenHeader] as string | undefined;
  if (spec.customOnError) options.onError = (error, _request, reply) => reply.code(CUSTOM_ONERROR_STATUS).send({ custom: error.code, challenge: error.wwwAuthenticate });
  return options;
}

/** The app, ready; `maxHeaderSize` matters only once it listens on a real server. */
export async function fastifyApp(spec: AppSpec, probe: Probe, server: { maxHeaderSize?: number } = {}): Promise<FastifyInstance> {
  const app = server.maxHeaderSize === undefined ? Fastify() : Fastify({ http: { maxHeaderSize: server.maxHeaderSize } });
  // Fastify's error path: what a hook throws lands here.
  app.setErrorHandler((error, _request, reply) => {
    probe.errors.push(error);
    const answer = errorPathAnswer(error);
    return reply.code(answer.status).send(answer.body);
  });
  app.addHook("onResponse", async (request, reply) => {
    if (reply.statusCode !== 200 && request.turnkey !== null) probe.sessionsOnRefusals += 1;
  });
  await app.register(fastifyAuth, fastifyOptionsFor(spec));
  const whoami = async (request: FastifyRequest) => {
    probe.handled += 1;
    return identityOf(request.turnkey);
  };
  if (spec.global) app.get("/whoami", whoami);
  else app.get("/whoami", { onRequest: app.turnkey.authenticate() }, whoami);
  app.get("/orgs/:orgId/whoami", { onRequest: app.turnkey.authenticate([organizationFromParam("orgId")]) }, whoami);
  await app.ready();
  return app;
}

/** Groups a header list into light-my-request's shape (a repeated name becomes an array, sent as that header repeated), names case-folded as Node would. */
function injectHeaders(headers: HeaderPairs): Record<string, string | string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of headers) (grouped[name.toLowerCase()] ??= []).push(value);
  return Object.fromEntries(Object.entries(grouped).map(([name, values]) => [name, values.length === 1 ? (values[0] as string) : values]));
}

/** Requests through Fastify's `inject` (no socket); `close` closes the app. */
export function injectClient(app: FastifyInstance): Client {
  return {
    async request(path, headers = []) {
      const response = await app.inject({ method: "GET", url: path, headers: injectHeaders(headers) });
      return replyOf(response.statusCode, response.headers, response.body);
    },
    close: () => app.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Hono

export type HonoEnv = { Variables: TurnkeyVariables };

export function honoOptionsFor(spec: AppSpec): HonoTurnkeyAuthOptions {
  const options: HonoTurnkeyAuthOptions = { ...spec.options };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (c) => c.req.header(tokenHeader);
  if (spec.customOnError) options.onError = (error, c) => c.json({ custom: error.code, challenge: error.wwwAuthenticate }, CUSTOM_ONERROR_STATUS);
  return options;
}

/** `routing: "protect"` mounts /whoami as `auth.protect(whoami)` instead of `auth, whoami` (when not global). */
export function honoApp(spec: AppSpec, probe: Probe, options = honoOptionsFor(spec), routing: Routing = "middleware"): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  // Hono's error path: app.onError sees the HTTPException the adapter throws.
  app.onError((error, c) => {
    probe.errors.push(error);
    const answer = errorPathAnswer(error);
    return c.json(answer.body, answer.status);
  });
  app.use(async (c, next) => {
    await next();
    if (c.res.status !== 200 && c.get("turnkey") !== undefined) probe.sessionsOnRefusals += 1;
  });
  const auth = honoAuth(options);
  const whoami: MiddlewareHandler<HonoEnv> = async (c) => {
    probe.handled += 1;
    return c.json(identityOf(c.get("turnkey")));
  };
  if (routing === "protect" && !spec.global) {
    app.get("/whoami", auth.protect(whoami));
    app.get("/orgs/:orgId/whoami", auth.with(organizationFromParam("orgId")), whoami);
  } else {
    routeWhoami<MiddlewareHandler<HonoEnv>>(app, spec.global, auth, whoami);
  }
  return app;
}

/**
 * Requests through a Fetch-API app's `request` (Hono's `app.request`). Repeated headers are
 * appended, so the app sees one combined value ("Bearer a, Bearer b"), the only form a Fetch
 * request can carry.
 */
export function fetchClient(app: { request(path: string, init: RequestInit): Response | Promise<Response> }): Client {
  return {
    async request(path, pairs = []) {
      const headers = new Headers();
      for (const [name, value] of pairs) headers.append(name, value);
      const response = await app.request(path, { headers });
      return replyOf(response.status, response.headers, await response.text());
    },
    close: async () => {},
  };
}

// The app the path-policy cases (./path-cases.ts) run in each framework, with its real router
// (Koa: @koa/router), on a real server on 127.0.0.1: GET /admin, /admin/:page, /orgs/:orgId/whoami
// and /public/:page, each recording the route that served a request and its params.
import type { AddressInfo } from "node:net";
import Router from "@koa/router";
import { getRequestListener } from "@hono/node-server";
import Fastify, { type FastifyRequest } from "fastify";
import { Hono, type Context as HonoContext } from "hono";
import Koa from "koa";
import { authenticateRequest } from "../../../src/adapters/fetch.js";
import { turnkeyAuth as expressAuth } from "../../../src/adapters/express.js";
import { turnkeyAuth as fastifyAuth } from "../../../src/adapters/fastify.js";
import { turnkeyAuth as honoAuth } from "../../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth } from "../../../src/adapters/koa.js";
import type { PathMatching, Policy, VerifyOptions } from "../../../src/index.js";
import type { ExpressModule } from "./app-helpers.js";
import { listen } from "./http.js";

export const ROUTES = ["/admin", "/admin/:page", "/orgs/:orgId/whoami", "/public/:page"] as const;

/** The framework's own routing configuration, in the terms of {@link PathMatching}; each app maps it to its framework's settings. */
export type RouterSettings = Partial<PathMatching>;

export interface PathAppSpec {
  readonly options: VerifyOptions & { pathMatching?: Partial<PathMatching> };
  readonly policies: readonly Policy[];
  /** `app-wide`: the adapter for every request, with `policies`; `route`: on each route, with the policies added there. */
  readonly placement: "app-wide" | "route";
  readonly router?: RouterSettings;
}

export interface Served {
  readonly route: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface PathApp {
  readonly port: number;
  /** The requests a route handler served, in order. */
  readonly served: Served[];
  close(): Promise<void>;
}

export type StartPathApp = (spec: PathAppSpec) => Promise<PathApp>;

function unsupported(framework: string, settings: RouterSettings, supported: readonly string[]): void {
  const extra = Object.keys(settings).filter((key) => !supported.includes(key));
  if (extra.length > 0) throw new Error(`${framework} has no router setting for ${extra.join(", ")}`);
}

export function expressPathApp(express: ExpressModule): StartPathApp {
  return async (spec) => {
    const settings = spec.router ?? {};
    unsupported("express", settings, ["caseSensitive", "strict"]);
    const app = express();
    if (settings.caseSensitive === true) app.set("case sensitive routing", true);
    if (settings.strict === true) app.set("strict routing", true);
    const served: Served[] = [];
    const appWide = spec.placement === "app-wide";
    const auth = expressAuth({ ...spec.options, ...(appWide ? { policies: [...spec.policies] } : {}) });
    if (appWide) app.use(auth);
    for (const route of ROUTES) {
      const handler = (req: { params: Record<string, string> }, res: { json(body: unknown): void }) => {
        served.push({ route, params: { ...req.params } });
        res.json({ route });
      };
      if (appWide) app.get(route, handler);
      else app.get(route, auth.with(...spec.policies), handler);
    }
    const server = await listen(app);
    return { port: server.port, served, close: () => server.close() };
  };
}

export const koaPathApp: StartPathApp = async (spec) => {
  const settings = spec.router ?? {};
  unsupported("@koa/router", settings, ["caseSensitive", "strict"]);
  const app = new Koa();
  app.silent = true;
  const router = new Router({ sensitive: settings.caseSensitive === true, strict: settings.strict === true });
  const served: Served[] = [];
  const appWide = spec.placement === "app-wide";
  const auth = koaAuth({ ...spec.options, ...(appWide ? { policies: [...spec.policies] } : {}) });
  if (appWide) app.use(auth);
  for (const route of ROUTES) {
    const handler = (ctx: Koa.Context & { params: Record<string, string> }) => {
      served.push({ route, params: { ...ctx.params } });
      ctx.body = { route };
    };
    if (appWide) router.get(route, handler);
    else router.get(route, auth.with(...spec.policies), handler);
  }
  app.use(router.routes());
  const server = await listen(app.callback());
  return { port: server.port, served, close: () => server.close() };
};

export const fastifyPathApp: StartPathApp = async (spec) => {
  const settings = spec.router ?? {};
  const routerOptions = {
    ...(settings.caseSensitive === undefined ? {} : { caseSensitive: settings.caseSensitive }),
    ...(settings.strict === undefined ? {} : { ignoreTrailingSlash: !settings.strict }),
    ...(settings.mergeSlashes === undefined ? {} : { ignoreDuplicateSlashes: settings.mergeSlashes }),
    ...(settings.semicolonEndsPath === undefined ? {} : { useSemicolonDelimiter: settings.semicolonEndsPath }),
  };
  const app = Fastify({ routerOptions });
  const served: Served[] = [];
  const appWide = spec.placement === "app-wide";
  await app.register(fastifyAuth, { ...spec.options, global: appWide, ...(appWide ? { policies: [...spec.policies] } : {}) });
  for (const route of ROUTES) {
    const handler = async (request: FastifyRequest) => {
      served.push({ route, params: { ...(request.params as Record<string, string>) } });
      return { route };
    };
    if (appWide) app.get(route, handler);
    else app.get(route, { onRequest: app.turnkey.authenticate(spec.policies) }, handler);
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { port: (app.server.address() as AddressInfo).port, served, close: () => app.close() };
};

export const honoPathApp: StartPathApp = async (spec) => {
  const settings = spec.router ?? {};
  unsupported("hono", settings, ["strict"]);
  const app = new Hono(settings.strict === undefined ? {} : { strict: settings.strict });
  const served: Served[] = [];
  const appWide = spec.placement === "app-wide";
  const auth = honoAuth({ ...spec.options, ...(appWide ? { policies: [...spec.policies] } : {}) });
  if (appWide) app.use(auth);
  for (const route of ROUTES) {
    const handler = (c: HonoContext) => {
      served.push({ route, params: { ...c.req.param() } });
      return c.json({ route });
    };
    if (appWide) app.get(route, handler);
    else app.get(route, auth.with(...spec.policies), handler);
  }
  const server = await listen(getRequestListener(app.fetch));
  return { port: server.port, served, close: () => server.close() };
};

// The fetch adapter inside a fetch-style router (Hono's, on @hono/node-server), as an app on Bun,
// Deno or Workers would compose them: the route's params handed to authenticateRequest.
export const fetchPathApp: StartPathApp = async (spec) => {
  unsupported("fetch", spec.router ?? {}, []);
  const app = new Hono();
  const served: Served[] = [];
  const appWide = spec.placement === "app-wide";
  const options = { ...spec.options, ...(appWide ? { policies: [...spec.policies] } : {}) };
  // App-wide: every request, routed or not, as a fetch handler would do before its router.
  if (appWide) {
    app.use(async (c, next) => {
      const session = await authenticateRequest(c.req.raw, options);
      if (session instanceof Response) return session;
      await next();
    });
  }
  for (const route of ROUTES) {
    app.get(route, async (c) => {
      const params = c.req.param() as Record<string, string>;
      if (!appWide) {
        const session = await authenticateRequest(c.req.raw, options, { params, policies: spec.policies });
        if (session instanceof Response) return session;
      }
      served.push({ route, params: { ...params } });
      return c.json({ route });
    });
  }
  const server = await listen(getRequestListener(app.fetch));
  return { port: server.port, served, close: () => server.close() };
};

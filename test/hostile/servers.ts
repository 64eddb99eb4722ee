// The one small app the hostile adapter and load tests run in each framework, with what it saw:
// handler calls, sessions found on refused requests, and errors reaching the error path.
//
// Transports: Express and Koa always over real HTTP on 127.0.0.1; Fastify through `inject` or a
// real `listen`; Hono through `app.request` (Fetch API only) or @hono/node-server. Real servers
// accept headers up to `maxHeaderSize` (default here 256 KiB, so that 16 KB hostile values reach
// the adapter instead of Node's 431).
import { createServer, request, Agent, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { Hono, type Context as HonoContext } from "hono";
import Koa, { type Context as KoaContext } from "koa";
import { turnkeyAuth as expressAuth } from "../../src/adapters/express.js";
import { turnkeyAuth as fastifyAuth } from "../../src/adapters/fastify.js";
import { turnkeyAuth as honoAuth, type TurnkeyVariables } from "../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth } from "../../src/adapters/koa.js";
import { isTurnkeyAuthError, organizationFromParam, type TurnkeySession } from "../../src/index.js";
import type { SharedOptions } from "../adapters/cases.js";
import { replyOf, type HeaderPairs, type TestReply } from "../adapters/http.js";

export type { HeaderPairs, TestReply } from "../adapters/http.js";

export const FRAMEWORKS = ["express", "fastify", "koa", "hono"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** What the app saw. */
export class Observed {
  /** Route handler calls. */
  handled = 0;
  /** Responses other than 200 whose request nevertheless carried a session afterwards. */
  sessionsOnRefusals = 0;
  /** What reached the framework's error path. */
  readonly errors: unknown[] = [];
}

export interface RunningApp {
  readonly framework: Framework;
  readonly observed: Observed;
  request(path: string, headers?: HeaderPairs): Promise<TestReply>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** `native`: Fastify inject / Hono app.request; `http`: a real server on 127.0.0.1 (always for Express and Koa). */
  transport?: "native" | "http";
  maxHeaderSize?: number;
  /** An HTTP agent for real requests (keep-alive pools in the load test). */
  agent?: Agent;
}

const DEFAULT_MAX_HEADER_SIZE = 256 * 1024;

function identityOf(session: TurnkeySession | null | undefined): object {
  return session ? { userId: session.userId, organizationId: session.organizationId } : { anonymous: true };
}

/** The error path's answer: the auth error's own status and `{ errorPath: code }`, else 500. */
function errorAnswer(observed: Observed, error: unknown): { status: 401 | 403 | 500 | 503; body: object } {
  observed.errors.push(error);
  const auth = isTurnkeyAuthError(error) ? error : (error as { cause?: unknown } | null)?.cause;
  if (isTurnkeyAuthError(auth)) return { status: auth.status, body: { errorPath: auth.code } };
  return { status: 500, body: { errorPath: String((error as Error | null)?.message) } };
}

function expressApp(options: SharedOptions, observed: Observed): RequestListener {
  const app = express();
  app.use((req, res, next) => {
    res.on("finish", () => {
      if (res.statusCode !== 200 && req.turnkey !== undefined) observed.sessionsOnRefusals += 1;
    });
    next();
  });
  const auth = expressAuth(options);
  const whoami: RequestHandler = (req, res) => {
    observed.handled += 1;
    res.json(identityOf(req.turnkey));
  };
  app.use(auth);
  app.get("/whoami", whoami);
  app.get("/orgs/:orgId/whoami", auth.with(organizationFromParam("orgId")), whoami);
  const errorPath: ErrorRequestHandler = (error, _req, res, _next) => {
    const answer = errorAnswer(observed, error);
    res.status(answer.status).json(answer.body);
  };
  app.use(errorPath);
  return app;
}

function koaApp(options: SharedOptions, observed: Observed): RequestListener {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const answer = errorAnswer(observed, error);
      ctx.status = answer.status;
      ctx.body = answer.body;
    }
    if (ctx.status !== 200 && ctx.state.turnkey !== undefined) observed.sessionsOnRefusals += 1;
  });
  const auth = koaAuth(options);
  const guarded = auth.with(organizationFromParam("orgId"));
  const whoami = (ctx: KoaContext) => {
    observed.handled += 1;
    ctx.body = identityOf(ctx.state.turnkey);
  };
  app.use(auth);
  // A stand-in for @koa/router, which sets ctx.params.
  app.use(async (ctx, next) => {
    if (ctx.path === "/whoami") return whoami(ctx);
    const match = /^\/orgs\/([^/]+)\/whoami$/.exec(ctx.path);
    if (match === null) return next();
    (ctx as KoaContext & { params: Record<string, string> }).params = { orgId: decodeURIComponent(match[1] as string) };
    return guarded(ctx, async () => whoami(ctx));
  });
  return app.callback();
}

async function fastifyApp(options: SharedOptions, observed: Observed, maxHeaderSize: number): Promise<FastifyInstance> {
  const app = Fastify({ http: { maxHeaderSize } });
  app.setErrorHandler((error, _request, reply) => {
    const answer = errorAnswer(observed, error);
    return reply.code(answer.status).send(answer.body);
  });
  app.addHook("onResponse", async (request, reply) => {
    if (reply.statusCode !== 200 && request.turnkey !== null) observed.sessionsOnRefusals += 1;
  });
  await app.register(fastifyAuth, { ...options, global: true });
  const whoami = async (request: FastifyRequest) => {
    observed.handled += 1;
    return identityOf(request.turnkey);
  };
  app.get("/whoami", whoami);
  app.get("/orgs/:orgId/whoami", { onRequest: app.turnkey.authenticate([organizationFromParam("orgId")]) }, whoami);
  await app.ready();
  return app;
}

type HonoEnv = { Variables: TurnkeyVariables };

function honoApp(options: SharedOptions, observed: Observed): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  app.onError((error, c) => {
    const answer = errorAnswer(observed, error);
    return c.json(answer.body, answer.status);
  });
  app.use(async (c, next) => {
    await next();
    if (c.res.status !== 200 && c.get("turnkey") !== undefined) observed.sessionsOnRefusals += 1;
  });
  const auth = honoAuth(options);
  const whoami = (c: HonoContext<HonoEnv>) => {
    observed.handled += 1;
    return c.json(identityOf(c.get("turnkey")));
  };
  app.use(auth);
  app.get("/whoami", whoami);
  app.get("/orgs/:orgId/whoami", auth.with(organizationFromParam("orgId")), whoami);
  return app;
}

/** One request over real HTTP, headers exactly as listed (names may repeat). */
export function sendRaw(port: number, path: string, headers: HeaderPairs, agent?: Agent): Promise<TestReply> {
  const raw = ["host", `127.0.0.1:${port}`, ...headers.flat()];
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, path, method: "GET", headers: raw, ...(agent === undefined ? {} : { agent }) }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", reject);
      incoming.on("end", () => resolve(replyOf(incoming.statusCode ?? 0, incoming.headers, Buffer.concat(chunks).toString("utf8"))));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

async function serveHttp(listener: RequestListener, maxHeaderSize: number, agent: Agent | undefined) {
  const server: Server = createServer({ maxHeaderSize }, listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    request: (path: string, headers: HeaderPairs = []) => sendRaw(port, path, headers, agent),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Groups a header list into light-my-request's shape (a repeated name becomes an array), names case-folded as Node would. */
function injectHeaders(headers: HeaderPairs): Record<string, string | string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of headers) (grouped[name.toLowerCase()] ??= []).push(value);
  return Object.fromEntries(Object.entries(grouped).map(([name, values]) => [name, values.length === 1 ? (values[0] as string) : values]));
}

/** Starts the app in `framework` with the adapter configured by `options` (always app-wide). */
export async function startApp(framework: Framework, options: SharedOptions, start: StartOptions = {}): Promise<RunningApp> {
  const observed = new Observed();
  const maxHeaderSize = start.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  const native = start.transport !== "http";
  switch (framework) {
    case "express":
      return { framework, observed, ...(await serveHttp(expressApp(options, observed), maxHeaderSize, start.agent)) };
    case "koa":
      return { framework, observed, ...(await serveHttp(koaApp(options, observed), maxHeaderSize, start.agent)) };
    case "fastify": {
      const app = await fastifyApp(options, observed, maxHeaderSize);
      if (native) {
        return {
          framework,
          observed,
          async request(path, headers = []) {
            const response = await app.inject({ method: "GET", url: path, headers: injectHeaders(headers) });
            return replyOf(response.statusCode, response.headers, response.body);
          },
          close: () => app.close(),
        };
      }
      await app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = app.server.address() as AddressInfo;
      return { framework, observed, request: (path, headers = []) => sendRaw(port, path, headers, start.agent), close: () => app.close() };
    }
    case "hono": {
      const app = honoApp(options, observed);
      if (native) {
        return {
          framework,
          observed,
          async request(path, pairs = []) {
            // Fetch Headers: a repeated name is appended, so Hono sees one combined value.
            const headers = new Headers();
            for (const [name, value] of pairs) headers.append(name, value);
            const response = await app.request(path, { headers });
            return replyOf(response.status, response.headers, await response.text());
          },
          close: async () => {},
        };
      }
      return { framework, observed, ...(await serveHttp(getRequestListener(app.fetch), maxHeaderSize, start.agent)) };
    }
  }
}

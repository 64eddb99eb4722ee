// The one small app the hostile adapter and load tests run in each framework (test/adapters/apps.ts,
// always with the adapter app-wide), with what it saw: handler calls, sessions found on refused
// requests, and errors reaching the error path.
//
// Transports: Express and Koa always over real HTTP on 127.0.0.1; Fastify through `inject` or a
// real `listen`; Hono through `app.request` (Fetch API only) or @hono/node-server. Real servers
// accept headers up to `maxHeaderSize` (default here 256 KiB, so that 16 KB hostile values reach
// the adapter instead of Node's 431).
import type { Agent, RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import express from "express";
import { expressApp, fastifyApp, fetchClient, honoApp, injectClient, koaApp } from "../adapters/app-helpers.js";
import { Probe, type AppSpec, type SharedOptions } from "../../adapters/cases.js";
import { keepIdleSockets, listen, send, type HeaderPairs, type TestReply } from "../adapters/http.js";

export type { HeaderPairs, TestReply } from "../adapters/http.js";

export const FRAMEWORKS = ["express", "fastify", "koa", "hono"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface RunningApp {
  readonly framework: Framework;
  /** What the app saw: handler calls, sessions on refusals, errors on the error path. */
  readonly observed: Probe;
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

/** Starts the app in `framework` with the adapter configured by `options` (always app-wide). */
export async function startApp(framework: Framework, options: SharedOptions, start: StartOptions = {}): Promise<RunningApp> {
  const observed = new Probe();
  const spec: AppSpec = { options, global: true, customOnError: false };
  const maxHeaderSize = start.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  const native = start.transport !== "http";
  const serveHttp = (listener: RequestListener) => listen(listener, { maxHeaderSize, agent: start.agent });
  switch (framework) {
    case "express":
      return { framework, observed, ...(await serveHttp(expressApp(express, spec, observed))) };
    case "koa":
      return { framework, observed, ...(await serveHttp(koaApp(spec, observed).callback())) };
    case "fastify": {
      const app = await fastifyApp(spec, observed, { maxHeaderSize });
      if (native) return { framework, observed, ...injectClient(app) };
      await app.listen({ port: 0, host: "127.0.0.1" });
      if (start.agent !== undefined) keepIdleSockets(app.server);
      const { port } = app.server.address() as AddressInfo;
      return { framework, observed, request: (path, headers = []) => send(port, path, headers, { agent: start.agent }), close: () => app.close() };
    }
    case "hono": {
      const app = honoApp(spec, observed);
      return { framework, observed, ...(native ? fetchClient(app) : await serveHttp(getRequestListener(app.fetch))) };
    }
  }
}

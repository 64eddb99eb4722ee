// The app the DPoP cases (./dpop.test.ts) run in each framework, on a real server on 127.0.0.1:
// the adapter app-wide with `dpop: "optional"`, GET /me (Bearer or DPoP) and POST /transfers,
// whose route requires DPoP (`auth.with({ dpop: "required" })`, Fastify
// `app.turnkey.authenticate([], { dpop: "required" })`). Public origin: https://api.example.com.
import type { AddressInfo } from "node:net";
import Router from "@koa/router";
import { getRequestListener } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import { turnkeyAuth as expressAuth } from "../../../src/adapters/express.js";
import { turnkeyAuth as fastifyAuth } from "../../../src/adapters/fastify.js";
import { turnkeyAuth as honoAuth } from "../../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth } from "../../../src/adapters/koa.js";
import type { DpopOptions, VerifyOptions } from "../../../src/index.js";
import { listen } from "./http.js";

export interface DpopApp {
  readonly port: number;
  close(): Promise<void>;
}

/** `dpopOptions` default to the public origin https://api.example.com alone. */
export type StartDpopApp = (options: VerifyOptions, dpopOptions?: DpopOptions) => Promise<DpopApp>;

const DPOP_OPTIONS: DpopOptions = { origin: "https://api.example.com" };
const identity = (session: { userId: string } | null | undefined) => ({ userId: session?.userId ?? null });

export const expressDpopApp: StartDpopApp = async (options, dpopOptions = DPOP_OPTIONS) => {
  const app = express();
  const auth = expressAuth({ ...options, dpop: "optional", dpopOptions });
  app.use(auth);
  app.get("/me", (req, res) => res.json(identity(req.turnkey)));
  // Mounted: the proof names the whole path (req.originalUrl), not the router's relative one.
  const api = express.Router();
  api.post("/transfers", auth.with({ dpop: "required" }), (req, res) => res.json(identity(req.turnkey)));
  app.use("/api", api);
  const server = await listen(app);
  return { port: server.port, close: () => server.close() };
};

export const koaDpopApp: StartDpopApp = async (options, dpopOptions = DPOP_OPTIONS) => {
  const app = new Koa();
  app.silent = true;
  const auth = koaAuth({ ...options, dpop: "optional", dpopOptions });
  const router = new Router();
  router.get("/me", (ctx) => { ctx.body = identity(ctx.state.turnkey); });
  router.post("/api/transfers", auth.with({ dpop: "required" }), (ctx) => { ctx.body = identity(ctx.state.turnkey); });
  app.use(auth);
  app.use(router.routes());
  const server = await listen(app.callback());
  return { port: server.port, close: () => server.close() };
};

export const fastifyDpopApp: StartDpopApp = async (options, dpopOptions = DPOP_OPTIONS) => {
  const app = Fastify();
  await app.register(fastifyAuth, { ...options, global: true, dpop: "optional", dpopOptions });
  app.get("/me", async (request) => identity(request.turnkey));
  app.post("/api/transfers", { onRequest: app.turnkey.authenticate([], { dpop: "required" }) }, async (request) => identity(request.turnkey));
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
};

export const honoDpopApp: StartDpopApp = async (options, dpopOptions = DPOP_OPTIONS) => {
  const app = new Hono();
  const auth = honoAuth({ ...options, dpop: "optional", dpopOptions });
  app.use(auth);
  app.get("/me", (c) => c.json(identity(c.get("turnkey"))));
  app.post("/api/transfers", auth.with({ dpop: "required" }), (c) => c.json(identity(c.get("turnkey"))));
  const server = await listen(getRequestListener(app.fetch));
  return { port: server.port, close: () => server.close() };
};

// A forwarded refusal answered by each framework's own error handling (no handler of the app's):
// the status, and the challenge in the configured realm, both carried by the error.
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import { describe, expect, it } from "vitest";
import { turnkeyAuth as expressAuth } from "../../src/adapters/express.js";
import { turnkeyAuth as fastifyAuth } from "../../src/adapters/fastify.js";
import { turnkeyAuth as honoAuth } from "../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth } from "../../src/adapters/koa.js";
import { createFixtures, specFor } from "./cases.js";
import { fetchClient, injectClient } from "./app-helpers.js";
import { listen, type TestReply } from "./http.js";

const f = await createFixtures();
const options = { ...specFor(f).options, forwardErrors: true, realm: "wallets-api" };
const REALM_CHALLENGE = /^Bearer realm="wallets-api", error="invalid_token", error_description="The token has expired"$/;

async function expiredRequest(request: (headers: [string, string][]) => Promise<TestReply>): Promise<TestReply> {
  return request([["authorization", `Bearer ${await f.token({}, { expiresInSeconds: -60 })}`]]);
}

describe("a forwarded refusal through each framework's default error handling", () => {
  it("express: the final handler", async () => {
    const app = express();
    app.get("/whoami", expressAuth(options), (_req, res) => res.json({ reached: true }));
    const server = await listen(app);
    try {
      const reply = await expiredRequest((headers) => server.request("/whoami", headers));
      expect(reply.status).toBe(401);
      expect(reply.header("www-authenticate")).toMatch(REALM_CHALLENGE);
    } finally {
      await server.close();
    }
  });

  it("fastify: the default error handler", async () => {
    const app = Fastify();
    await app.register(fastifyAuth, { ...options, global: true });
    app.get("/whoami", async () => ({ reached: true }));
    const client = injectClient(app);
    try {
      const reply = await expiredRequest((headers) => client.request("/whoami", headers));
      expect(reply.status).toBe(401);
      expect(reply.header("www-authenticate")).toMatch(REALM_CHALLENGE);
    } finally {
      await client.close();
    }
  });

  it("koa: its default error handling", async () => {
    const app = new Koa();
    app.silent = true;
    app.use(koaAuth(options));
    app.use((ctx) => {
      ctx.body = { reached: true };
    });
    const server = await listen(app.callback());
    try {
      const reply = await expiredRequest((headers) => server.request("/whoami", headers));
      expect(reply.status).toBe(401);
      expect(reply.header("www-authenticate")).toMatch(REALM_CHALLENGE);
    } finally {
      await server.close();
    }
  });

  it("hono: the HTTPException's response", async () => {
    const app = new Hono();
    app.get("/whoami", honoAuth(options), (c) => c.json({ reached: true }));
    const reply = await expiredRequest((headers) => fetchClient(app).request("/whoami", headers));
    expect(reply.status).toBe(401);
    expect(reply.header("www-authenticate")).toMatch(REALM_CHALLENGE);
    expect(reply.body).toEqual({ error: "token_expired", message: "The token has expired" });
  });
});

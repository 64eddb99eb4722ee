// End to end: an emulator activity → a signed webhook → each framework's helper over real HTTP →
// the handler; plus hostile deliveries over the wire. The helpers are built before the emulator
// starts (the emulator needs their URL), so their JWKS fetch is pointed at the emulator lazily.
import { serve } from "@hono/node-server";
import Router from "@koa/router";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { captureRawBody, expressWebhook, fastifyWebhook, honoWebhook, koaWebhook, verifyWebhookRequest, type TurnkeyWebhookEvent, type TurnkeyWebhookOptions } from "../../src/webhooks.js";
import { listen } from "../helpers/adapters/http.js";
import { sdkClient } from "../helpers/testing/emulator-helpers.js";

const PATH = "/webhooks/turnkey";

interface Running {
  readonly url: string;
  close(): Promise<void>;
}

type Start = (options: TurnkeyWebhookOptions) => Promise<Running>;

async function nodeServer(listener: Parameters<typeof listen>[0]): Promise<Running> {
  const server = await listen(listener);
  return { url: `http://127.0.0.1:${server.port}${PATH}`, close: () => server.close() };
}

async function honoServer(fetchHandler: (request: Request) => Response | Promise<Response>): Promise<Running> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: fetchHandler, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${PATH}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const FRAMEWORKS: Record<string, Start> = {
  express: (options) => {
    const app = express();
    app.post(PATH, expressWebhook(options));
    app.use(express.json());
    return nodeServer(app);
  },
  "express after express.json({ verify: captureRawBody })": (options) => {
    const app = express();
    app.use(express.json({ verify: captureRawBody, limit: "2mb" }));
    app.post(PATH, expressWebhook(options));
    return nodeServer(app);
  },
  "express after express.raw()": (options) => {
    const app = express();
    app.post(PATH, express.raw({ type: "*/*", limit: "2mb" }), expressWebhook(options));
    return nodeServer(app);
  },
  fastify: async (options) => {
    const app = Fastify();
    await app.register(fastifyWebhook({ ...options, path: PATH }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}${PATH}`, close: () => app.close() };
  },
  koa: (options) => {
    const app = new Koa();
    const router = new Router();
    router.post(PATH, koaWebhook(options));
    app.use(router.routes());
    return nodeServer(app.callback());
  },
  hono: (options) => {
    const app = new Hono();
    app.post(PATH, honoWebhook(options));
    return honoServer(app.fetch);
  },
  "fetch (verifyWebhookRequest)": (options) => honoServer((request) => verifyWebhookRequest(request, options)),
};

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.close()));
});

/** A framework app receiving the emulator's webhooks; `failFirst` makes the handler throw on its first call. */
async function deliveringSetup(start: Start, failFirst = false, extra: Partial<TurnkeyWebhookOptions> = {}) {
  const events: TurnkeyWebhookEvent[] = [];
  let calls = 0;
  let emulator: TurnkeyEmulator | undefined;
  const app = await start({
    onEvent: (event) => {
      calls++;
      if (failFirst && calls === 1) throw new Error("handler down");
      events.push(event);
    },
    jwksUrl: "http://emulator.invalid/public/v1/discovery/webhooks/jwks",
    fetch: (_url, init) => fetch((emulator as TurnkeyEmulator).webhookJwksUrl, init),
    ...extra,
  });
  running.push(app);
  emulator = await startTurnkeyEmulator({ webhooks: { url: app.url, maxAttempts: 3, retryDelayMs: 5 } });
  running.push(emulator);
  return { emulator, app, events, calls: () => calls };
}

describe.each(Object.entries(FRAMEWORKS))("webhooks through %s", (_name, start) => {
  it("delivers an emulator activity to the handler as a verified, typed event, once", async () => {
    const { emulator, events } = await deliveringSetup(start);
    await sdkClient(emulator).initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "hook@example.com", appName: "tests" });
    await emulator.webhooksSettled();
    expect(emulator.webhookDeliveries.map((delivery) => delivery.attempts)).toEqual([[200]]);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.eventType).toBe("ACTIVITY_UPDATES");
    if (event?.eventType !== "ACTIVITY_UPDATES") return;
    expect(event.payload.type).toBe("ACTIVITY_TYPE_INIT_OTP_V3");
    expect(event.payload.organizationId).toBe(emulator.parentOrganizationId);
    expect(event.eventId).toBe(emulator.webhookDeliveries[0]?.eventId);
  });

  it("answers 500 when the handler throws, and the emulator's retry (fresh signature, same event id) is handled", async () => {
    const { emulator, events, calls } = await deliveringSetup(start, true);
    await sdkClient(emulator).initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "retry@example.com", appName: "tests" });
    await emulator.webhooksSettled();
    expect(emulator.webhookDeliveries.map((delivery) => delivery.attempts)).toEqual([[500, 200]]);
    expect(calls()).toBe(2);
    expect(events).toHaveLength(1);
  });

  it("refuses hostile deliveries over HTTP with 4xx (unknown key, garbage headers, oversized body) and runs the handler for none of them", async () => {
    const { emulator, app, events } = await deliveringSetup(start);
    const { WebhookSender } = await import("../../src/testing/emulator/webhooks.js");
    // Any event type the emulator is asked to send arrives typed; then forgeries and junk do not.
    emulator.sendWebhook("BALANCE_CONFIRMED_UPDATES", "org-1", { type: "balances:confirmed", organizationId: "org-1", msg: {} });
    await emulator.webhooksSettled();
    expect(events.map((event) => event.eventType)).toEqual(["BALANCE_CONFIRMED_UPDATES"]);
    const post = (headers: Record<string, string>, body: string) => fetch(app.url, { method: "POST", headers, body });
    const impostor = new WebhookSender(undefined, Date.now);
    const body = JSON.stringify({ type: "balances:confirmed", organizationId: "org-1", msg: {} });
    const forged = impostor.signDelivery("evt-forged", "BALANCE_CONFIRMED_UPDATES", "org-1", body);
    expect((await post(forged, body)).status).toBe(401); // unknown key id (after one refetch)
    const garbage = { "content-type": "application/json", "x-turnkey-timestamp": "soon", "x-turnkey-signature": "zz" };
    expect((await post(garbage, body)).status).toBe(400);
    const huge = await post({ ...forged, "x-turnkey-event-id": "evt-huge" }, JSON.stringify({ padding: "x".repeat(1_100_000) }));
    expect(huge.status).toBe(413);
    expect(events).toHaveLength(1);
  });
});

describe("express.json() before the webhook route without captureRawBody", () => {
  it("answers 500 (Turnkey retries until the mount order is fixed) and never verifies re-serialised JSON", async () => {
    const errors: unknown[] = [];
    const { emulator, events } = await deliveringSetup(async (options) => {
      const app = express();
      app.use(express.json());
      app.post(PATH, expressWebhook(options));
      app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        errors.push(error);
        res.status(500).json({ error: "misconfigured" });
      });
      return nodeServer(app);
    });
    await sdkClient(emulator).initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "order@example.com", appName: "tests" });
    await emulator.webhooksSettled();
    expect(emulator.webhookDeliveries[0]?.attempts).toEqual([500, 500, 500]);
    expect(events).toHaveLength(0);
    expect(String(errors[0])).toMatch(/raw bytes/);
  });
});

describe("the emulator's JWKS down (an injected fault)", () => {
  it("answers 503 so the emulator retries, and delivers once the JWKS is back", async () => {
    // refetchIntervalMs 0: each retry asks the JWKS again (by default a failed fetch waits a minute).
    const { emulator, events } = await deliveringSetup(FRAMEWORKS.express as Start, false, { refetchIntervalMs: 0 });
    await emulator.faults.set({ kind: "status500", endpoint: "/public/v1/discovery/webhooks/jwks" });
    const client = sdkClient(emulator);
    await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "down@example.com", appName: "tests" });
    await emulator.webhooksSettled();
    expect(emulator.webhookDeliveries[0]?.attempts).toEqual([503, 503, 503]);
    expect(events).toHaveLength(0);
    await emulator.faults.clear();
    await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "back@example.com", appName: "tests" });
    await emulator.webhooksSettled();
    expect(emulator.webhookDeliveries[1]?.attempts.at(-1)).toBe(200);
    expect(events).toHaveLength(1);
  });
});

import type { RequestHandler } from "express";
import express from "express";
import Fastify, { type FastifyPluginAsync } from "fastify";
import { Hono } from "hono";
import Router from "@koa/router";
import type { Middleware as KoaMiddleware } from "koa";
import { describe, expectTypeOf, it } from "vitest";
import {
  expressWebhook,
  fastifyWebhook,
  honoWebhook,
  koaWebhook,
  verifyWebhookRequest,
  type TurnkeyActivityPayload,
  type TurnkeyBalancePayload,
  type TurnkeyWebhookAnswer,
  type TurnkeyWebhookEvent,
} from "../../src/webhooks.js";

const options = { onEvent: () => undefined };

describe("webhook helpers", () => {
  it("fit their frameworks", async () => {
    expectTypeOf(expressWebhook(options)).toExtend<RequestHandler>();
    express().post("/hook", expressWebhook(options));
    expectTypeOf(fastifyWebhook({ ...options, path: "/hook" })).toEqualTypeOf<FastifyPluginAsync>();
    await Fastify().register(fastifyWebhook({ ...options, path: "/hook" }));
    expectTypeOf(koaWebhook(options)).toEqualTypeOf<KoaMiddleware>();
    new Router().post("/hook", koaWebhook(options));
    new Hono().post("/hook", honoWebhook(options));
    expectTypeOf(verifyWebhookRequest).returns.toEqualTypeOf<Promise<Response>>();
  });

  it("narrow the payload by event type", () => {
    const onEvent = (event: TurnkeyWebhookEvent) => {
      if (event.eventType === "ACTIVITY_UPDATES") expectTypeOf(event.payload).toEqualTypeOf<TurnkeyActivityPayload>();
      if (event.eventType === "BALANCE_FINALIZED_UPDATES") expectTypeOf(event.payload).toEqualTypeOf<TurnkeyBalancePayload>();
      if (event.eventType === "unknown") expectTypeOf(event.payload).toBeUnknown();
      expectTypeOf(event.eventId).toBeString();
    };
    expectTypeOf(onEvent).toBeFunction();
    expectTypeOf<TurnkeyWebhookAnswer["status"]>().toEqualTypeOf<200 | 400 | 401 | 413 | 500 | 503>();
  });
});

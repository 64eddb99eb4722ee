import type { Middleware } from "koa";
import { createWebhookReceiver, type TurnkeyWebhookOptions } from "../../webhooks/receiver.js";
import { nodeHeaders, rawBodyOf } from "./node-request.js";

/**
 * Koa middleware that receives Turnkey webhooks on its route. It reads the raw body itself; when
 * a body parser ran first, it uses the raw text that parser keeps (`ctx.request.rawBody`).
 *
 * @example
 * ```ts
 * router.post("/webhooks/turnkey", koaWebhook({ onEvent: async (event) => { await jobs.add(event.eventId, event.payload); } }));
 * ```
 */
export function koaWebhook(options: TurnkeyWebhookOptions): Middleware {
  const receiver = createWebhookReceiver(options);
  return async (ctx) => {
    const body = await rawBodyOf(ctx.req, (ctx.request as { rawBody?: unknown }).rawBody, receiver.maxBodyBytes);
    const answer = await receiver.receive(nodeHeaders(ctx.req.headers), body);
    ctx.status = answer.status;
    ctx.body = answer.body;
  };
}

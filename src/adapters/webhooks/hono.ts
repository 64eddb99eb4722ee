import type { Context } from "hono";
import type { TurnkeyWebhookOptions } from "../../webhooks/receiver.js";
import { receiverFor, verifyWebhookRequest } from "./fetch.js";

/**
 * A Hono handler that receives Turnkey webhooks: it verifies the raw `Request` (so no validator
 * or middleware may read the body before it).
 *
 * @example
 * ```ts
 * app.post("/webhooks/turnkey", honoWebhook({ onEvent: async (event) => { await jobs.add(event.eventId, event.payload); } }));
 * ```
 */
export function honoWebhook(options: TurnkeyWebhookOptions): (context: Context) => Promise<Response> {
  receiverFor(options); // checks the options now, at construction
  return (context) => verifyWebhookRequest(context.req.raw, options);
}

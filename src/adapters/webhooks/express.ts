import type { RequestHandler } from "express";
import { createWebhookReceiver, type TurnkeyWebhookOptions } from "../../webhooks/receiver.js";
import { nodeHeaders, rawBodyOf } from "./node-request.js";

/**
 * Express middleware that receives Turnkey webhooks: mount it on the webhook route, before
 * `express.json()` (or give that parser {@link captureRawBody}): the exact raw bytes are verified,
 * never re-serialised JSON. A body that `express.raw()` read (a Buffer) is used as it is.
 *
 * @example
 * ```ts
 * app.post("/webhooks/turnkey", expressWebhook({ onEvent: async (event) => { await jobs.add(event.eventId, event.payload); } }));
 * app.use(express.json());
 * ```
 */
export function expressWebhook(options: TurnkeyWebhookOptions): RequestHandler {
  const receiver = createWebhookReceiver(options);
  return (req, res, next) => {
    const kept = (req as { rawBody?: unknown }).rawBody ?? (req.body instanceof Uint8Array ? req.body : undefined);
    rawBodyOf(req, kept, receiver.maxBodyBytes)
      .then((body) => receiver.receive(nodeHeaders(req.headers), body))
      .then((answer) => void res.status(answer.status).json(answer.body))
      .catch(next);
  };
}

/**
 * The `verify` option of `express.json()` (and other body-parser parsers) that keeps the raw bytes
 * as `req.rawBody`, so that {@link expressWebhook} can verify them after a global `express.json()`.
 *
 * @example
 * ```ts
 * app.use(express.json({ verify: captureRawBody }));
 * app.post("/webhooks/turnkey", expressWebhook({ onEvent }));
 * ```
 */
export function captureRawBody(req: object, _res: unknown, buffer: Uint8Array): void {
  (req as { rawBody?: Uint8Array }).rawBody = buffer;
}

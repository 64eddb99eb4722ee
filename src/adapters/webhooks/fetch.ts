import { chunksOf, readBounded } from "../../webhooks/body.js";
import { createWebhookReceiver, type TurnkeyWebhookOptions, type TurnkeyWebhookReceiver } from "../../webhooks/receiver.js";

// One receiver (one JWKS cache) per options object: pass the same object on every request.
const receivers = new WeakMap<TurnkeyWebhookOptions, TurnkeyWebhookReceiver>();

/** The receiver for these options, created on first use. */
export function receiverFor(options: TurnkeyWebhookOptions): TurnkeyWebhookReceiver {
  let receiver = receivers.get(options);
  if (receiver === undefined) {
    receiver = createWebhookReceiver(options);
    receivers.set(options, receiver);
  }
  return receiver;
}

/**
 * Verifies a Turnkey webhook delivered as a web `Request` (Next.js route handlers, Bun, Deno,
 * Workers, Hono) and answers the `Response` Turnkey should get. Keep `options` in a constant: its
 * JWKS cache lives with that object.
 *
 * @example
 * ```ts
 * const webhookOptions = { onEvent: async (event) => { await jobs.add(event.eventId, event.payload); } };
 * export const POST = (request: Request) => verifyWebhookRequest(request, webhookOptions);
 * ```
 */
export async function verifyWebhookRequest(request: Request, options: TurnkeyWebhookOptions): Promise<Response> {
  const receiver = receiverFor(options);
  if (request.method !== "POST") return new Response(JSON.stringify({ error: "method_not_allowed" }), { status: 405, headers: { allow: "POST", "content-type": "application/json" } });
  if (request.bodyUsed) throw new TypeError("turnkey-session-auth: the webhook request's body was already read; verify it before anything parses it");
  const declared = Number(request.headers.get("content-length") ?? "0");
  let body: Uint8Array | undefined = new Uint8Array(0);
  if (declared > receiver.maxBodyBytes) body = undefined;
  else if (request.body !== null) body = await readBounded(chunksOf(request.body), receiver.maxBodyBytes);
  const answer = await receiver.receive((name) => request.headers.get(name) ?? undefined, body);
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json" } });
}

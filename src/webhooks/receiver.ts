import { createMemoryStore } from "../store/memory-store.js";
import type { SessionStore } from "../store/session-store.js";
import { readDeliveryHeaders, signedInputOf, type HeaderLookup } from "./delivery-headers.js";
import { eventOf, type TurnkeyWebhookEvent } from "./events.js";
import { JwksCache, TURNKEY_WEBHOOK_JWKS_URL } from "./jwks.js";
import { checkOptions } from "./options.js";

/**
 * Options of every webhook helper (`expressWebhook`, `fastifyWebhook`, `koaWebhook`, `honoWebhook`,
 * `verifyWebhookRequest`) and of {@link createWebhookReceiver}.
 *
 * @example
 * ```ts
 * const options: TurnkeyWebhookOptions = { onEvent: async (event) => queue.push(event.payload), store: redisStore };
 * ```
 */
export interface TurnkeyWebhookOptions {
  /** Runs once per verified, first-seen event. If it throws, the answer is 500 and the event id is forgotten, so Turnkey's retry is handled again. */
  onEvent: (event: TurnkeyWebhookEvent) => void | Promise<void>;
  /** Where delivered event ids are remembered (`webhook:<eventId>`). Default: a {@link createMemoryStore} for this receiver; share one store across instances so a cluster handles each event once. */
  store?: SessionStore;
  /** The JWKS to fetch. Default Turnkey's: `https://api.turnkey.com/public/v1/discovery/webhooks/jwks`. */
  jwksUrl?: string;
  /** Accepted distance between the delivery's timestamp and now, either way. Default 300_000 (5 minutes, Turnkey's recommendation). */
  toleranceMs?: number;
  /** How long a delivered event id is remembered. Default 86_400_000 (a day); at least twice `toleranceMs`, so a replay within the window is always caught. */
  dedupeMs?: number;
  /** Largest body accepted; larger answers 413. Default 1_048_576 (1 MiB). */
  maxBodyBytes?: number;
  /** Least time between JWKS fetches not due to expiry (an unknown key id; a retry after a failure). Default 60_000. */
  refetchIntervalMs?: number;
  /** Timeout of a JWKS fetch. Default 5_000. */
  jwksTimeoutMs?: number;
  /** Called with what went wrong when the answer is a 5xx (the handler threw, the store or the JWKS failed): for your logs. Never sees a signature. */
  onError?: (error: unknown) => void;
  /** The `fetch` used for the JWKS. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** The clock, milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * Why a delivery was refused. 4xx ones are permanent (Turnkey does not retry 3xx, 4xx or 429); 5xx
 * ones are transient, so Turnkey retries (docs.turnkey.com/features/webhooks/overview, "Retries").
 * @example `if ("error" in answer.body && answer.body.error === "keys_unavailable") alertOps();`
 */
export type TurnkeyWebhookRefusal =
  | "missing_header"
  | "malformed_header"
  | "unsupported_signature"
  | "body_too_large"
  | "stale_timestamp"
  | "unknown_key"
  | "invalid_signature"
  | "malformed_body"
  | "keys_unavailable"
  | "store_unavailable"
  | "handler_failed";

const STATUS: Readonly<Record<TurnkeyWebhookRefusal, 400 | 401 | 413 | 500 | 503>> = {
  missing_header: 400,
  malformed_header: 400,
  unsupported_signature: 400,
  malformed_body: 400,
  body_too_large: 413,
  stale_timestamp: 401,
  unknown_key: 401,
  invalid_signature: 401,
  keys_unavailable: 503,
  store_unavailable: 503,
  handler_failed: 500,
};

/**
 * The answer to send for a delivery: 200 `{ "received": true }` (also for a replay, with
 * `"duplicate": true`: it was delivered already, so Turnkey must stop), or a refusal
 * `{ "error": code }` with its status.
 *
 * @example
 * ```ts
 * const answer: TurnkeyWebhookAnswer = await receiver.receive(header, body);
 * response.status(answer.status).json(answer.body);
 * ```
 */
export interface TurnkeyWebhookAnswer {
  readonly status: 200 | 400 | 401 | 413 | 500 | 503;
  readonly body: { readonly received: true; readonly duplicate?: true } | { readonly error: TurnkeyWebhookRefusal };
}

/**
 * Receives Turnkey webhook deliveries for one endpoint: the framework helpers wrap it; use it
 * directly to write another. `maxBodyBytes` is what the caller must read at most (one byte more
 * tells it is too large: pass `undefined` as the body then).
 *
 * @example
 * ```ts
 * const receiver = createWebhookReceiver({ onEvent: (event) => console.log(event.eventId) });
 * const answer = await receiver.receive((name) => headers[name], rawBodyBytes);
 * ```
 */
export interface TurnkeyWebhookReceiver {
  readonly maxBodyBytes: number;
  /** Verifies a delivery (the exact raw body; `undefined` when larger than `maxBodyBytes`), runs `onEvent` once per event, and says what to answer. Never throws. */
  receive(header: HeaderLookup, body: Uint8Array | undefined): Promise<TurnkeyWebhookAnswer>;
}

const refuse = (error: TurnkeyWebhookRefusal): TurnkeyWebhookAnswer => ({ status: STATUS[error], body: { error } });

/**
 * Creates a {@link TurnkeyWebhookReceiver}; bad options throw a `TypeError` naming the option.
 *
 * @example
 * ```ts
 * const receiver = createWebhookReceiver({ onEvent: async (event) => { await jobs.add(event.eventId, event.payload); } });
 * ```
 */
export function createWebhookReceiver(options: TurnkeyWebhookOptions): TurnkeyWebhookReceiver {
  const settings = checkOptions(options);
  const store = options.store ?? createMemoryStore();
  const now = settings.now;
  const keys = new JwksCache({ url: options.jwksUrl ?? TURNKEY_WEBHOOK_JWKS_URL, fetch: settings.fetch, now, refetchIntervalMs: settings.refetchIntervalMs, timeoutMs: settings.jwksTimeoutMs });
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // A logger that throws must not change the answer.
    }
  };

  async function receive(header: HeaderLookup, body: Uint8Array | undefined): Promise<TurnkeyWebhookAnswer> {
    if (body === undefined || body.length > settings.maxBodyBytes) return refuse("body_too_large");
    const delivery = readDeliveryHeaders(header);
    if ("problem" in delivery) return refuse(delivery.problem);
    if (Math.abs(now() - delivery.timestampMs) > settings.toleranceMs) return refuse("stale_timestamp");
    let lookup;
    try {
      lookup = await keys.lookup(delivery.keyId);
    } catch (error) {
      report(error);
      return refuse("keys_unavailable");
    }
    if ("unknown" in lookup) return refuse("unknown_key");
    if ("unavailable" in lookup) {
      report(new Error(`turnkey-session-auth: the webhook JWKS could not be fetched and holds no usable key "${delivery.keyId}"`));
      return refuse("keys_unavailable");
    }
    const valid = await crypto.subtle.verify({ name: "Ed25519" }, lookup.key, delivery.signature, signedInputOf(delivery, body)).catch(() => false);
    if (!valid) return refuse("invalid_signature");
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    } catch {
      return refuse("malformed_body");
    }
    const storeKey = `webhook:${delivery.eventId}`;
    let first: boolean;
    try {
      first = await store.setIfAbsent(storeKey, "1", settings.dedupeMs);
    } catch (error) {
      report(error);
      return refuse("store_unavailable");
    }
    if (!first) return { status: 200, body: { received: true, duplicate: true } };
    const base = { eventId: delivery.eventId, keyId: delivery.keyId, timestampMs: delivery.timestampMs, organizationIdHeader: delivery.organizationId, rawBody: body };
    try {
      await options.onEvent(eventOf(base, delivery.eventType, payload));
    } catch (error) {
      report(error);
      // Forget the id so that Turnkey's retry (same event id) is handled again.
      await store.delete(storeKey).catch(report);
      return refuse("handler_failed");
    }
    return { status: 200, body: { received: true } };
  }

  return { maxBodyBytes: settings.maxBodyBytes, receive: (header, body) => receive(header, body).catch((error: unknown) => (report(error), refuse("handler_failed"))) };
}

// A signer with Turnkey's webhook scheme (the emulator's), a JWKS endpoint stub that counts its
// fetches and can fail, and a receiver wired to both with an injected clock.
import { WebhookSender } from "../../../src/testing/emulator/webhooks.js";
import { createWebhookReceiver, type TurnkeyWebhookOptions } from "../../../src/webhooks/receiver.js";
import type { TurnkeyWebhookEvent } from "../../../src/webhooks/events.js";

export const T0 = 1_760_000_000_000;

export interface Clock {
  now: number;
}

export interface JwksStub {
  fetch: typeof fetch;
  calls: number;
  /** What the next fetches answer: the signers' keys (with this Cache-Control), or a failure. */
  mode: "ok" | "down" | "500";
  cacheControl: string;
  signers: WebhookSender[];
}

export function jwksStub(signers: WebhookSender[], cacheControl = "public, max-age=86400, stale-if-error=604800"): JwksStub {
  const stub: JwksStub = {
    calls: 0,
    mode: "ok",
    cacheControl,
    signers,
    fetch: async () => {
      stub.calls++;
      if (stub.mode === "down") throw new TypeError("fetch failed");
      if (stub.mode === "500") return new Response("{}", { status: 500 });
      const keys = stub.signers.flatMap((signer) => (signer.jwks() as { keys: unknown[] }).keys);
      return new Response(JSON.stringify({ keys }), { status: 200, headers: { "content-type": "application/json", "cache-control": stub.cacheControl } });
    },
  };
  return stub;
}

export function signer(clock: Clock): WebhookSender {
  return new WebhookSender(undefined, () => clock.now);
}

/** A signed delivery: its header lookup and body bytes. */
export function delivery(sender: WebhookSender, payload: unknown = { id: "activity-1", organizationId: "org-1", status: "ACTIVITY_STATUS_COMPLETED", type: "ACTIVITY_TYPE_X" }, eventId = crypto.randomUUID()) {
  const body = JSON.stringify(payload);
  const headers = sender.signDelivery(eventId, "ACTIVITY_UPDATES", "org-1", body);
  return { headers, body: new TextEncoder().encode(body), eventId, lookup: (name: string) => headers[name] };
}

export function receiverWith(clock: Clock, stub: JwksStub, options: Partial<TurnkeyWebhookOptions> = {}) {
  const events: TurnkeyWebhookEvent[] = [];
  const errors: unknown[] = [];
  const receiver = createWebhookReceiver({
    onEvent: (event) => void events.push(event),
    onError: (error) => void errors.push(error),
    jwksUrl: "https://jwks.test/public/v1/discovery/webhooks/jwks",
    fetch: stub.fetch,
    now: () => clock.now,
    ...options,
  });
  return { receiver, events, errors };
}

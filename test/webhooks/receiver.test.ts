import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory-store.js";
import type { SessionStore } from "../../src/store/session-store.js";
import { createWebhookReceiver } from "../../src/webhooks/receiver.js";
import { T0, delivery, jwksStub, receiverWith, signer, type Clock } from "../helpers/webhooks/helpers.js";

const setup = (options = {}) => {
  const clock: Clock = { now: T0 };
  const sender = signer(clock);
  const stub = jwksStub([sender]);
  return { clock, sender, stub, ...receiverWith(clock, stub, options) };
};

describe("createWebhookReceiver", () => {
  it("accepts a delivery signed by a JWKS key and hands the handler a typed event", async () => {
    const { sender, receiver, events } = setup();
    const signed = delivery(sender);
    expect(await receiver.receive(signed.lookup, signed.body)).toEqual({ status: 200, body: { received: true } });
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.eventType).toBe("ACTIVITY_UPDATES");
    if (event?.eventType === "ACTIVITY_UPDATES") expect(event.payload.status).toBe("ACTIVITY_STATUS_COMPLETED");
    expect(event?.eventId).toBe(signed.eventId);
    expect(event?.keyId).toBe(sender.keyId);
    expect(event?.timestampMs).toBe(T0);
    expect(event?.organizationIdHeader).toBe("org-1");
  });

  it("refuses a delivery signed by another key under a known key id (401, handler not run)", async () => {
    const { clock, sender, receiver, events } = setup();
    const impostor = signer(clock);
    const forged = delivery(impostor);
    const headers: Record<string, string> = { ...forged.headers, "x-turnkey-signature-key-id": sender.keyId };
    expect(await receiver.receive((name) => headers[name], forged.body)).toEqual({ status: 401, body: { error: "invalid_signature" } });
    expect(events).toHaveLength(0);
  });

  it("refuses an altered body, and a re-serialised one (the exact bytes are verified)", async () => {
    const { sender, receiver, events } = setup();
    const signed = delivery(sender, { b: 1, a: 2 });
    const altered = new TextEncoder().encode(JSON.stringify({ b: 1, a: 3 }));
    expect((await receiver.receive(signed.lookup, altered)).status).toBe(401);
    const reserialised = new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(signed.body)), null, 1));
    expect((await receiver.receive(signed.lookup, reserialised)).status).toBe(401);
    expect(events).toHaveLength(0);
  });

  it("answers a replayed event id 200 duplicate without running the handler again, across receivers sharing a store", async () => {
    const store = createMemoryStore();
    const { clock, sender, stub, receiver, events } = setup({ store });
    const signed = delivery(sender);
    expect((await receiver.receive(signed.lookup, signed.body)).status).toBe(200);
    expect(await receiver.receive(signed.lookup, signed.body)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    // Another instance of the service, same store: Turnkey's retry with a fresh signature is still a duplicate.
    const other = receiverWith(clock, stub, { store });
    clock.now += 60_000;
    const retry = delivery(sender, { id: "activity-1", organizationId: "org-1", status: "ACTIVITY_STATUS_COMPLETED", type: "ACTIVITY_TYPE_X" }, signed.eventId);
    expect((await other.receiver.receive(retry.lookup, retry.body)).body).toEqual({ received: true, duplicate: true });
    expect(events.length + other.events.length).toBe(1);
  });

  it("refuses a stale or future timestamp beyond the window (401), accepts within it", async () => {
    const { clock, sender, receiver, events } = setup();
    const old = delivery(sender);
    clock.now += 300_001;
    expect(await receiver.receive(old.lookup, old.body)).toEqual({ status: 401, body: { error: "stale_timestamp" } });
    const future = delivery(sender);
    clock.now -= 300_001;
    expect((await receiver.receive(future.lookup, future.body)).status).toBe(401);
    clock.now += 1;
    expect((await receiver.receive(future.lookup, future.body)).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it("refetches the JWKS for an unknown key id (a rotation), rate-limited, then refuses it 401", async () => {
    const { clock, sender, stub, receiver } = setup({ refetchIntervalMs: 60_000 });
    const first = delivery(sender);
    expect((await receiver.receive(first.lookup, first.body)).status).toBe(200);
    expect(stub.calls).toBe(1);
    const rotated = signer(clock);
    stub.signers.push(rotated);
    clock.now += 60_000;
    const fromRotated = delivery(rotated);
    expect((await receiver.receive(fromRotated.lookup, fromRotated.body)).status).toBe(200);
    expect(stub.calls).toBe(2);
    const stranger = delivery(signer(clock));
    expect(await receiver.receive(stranger.lookup, stranger.body)).toEqual({ status: 401, body: { error: "unknown_key" } });
    expect(await receiver.receive(stranger.lookup, stranger.body)).toEqual({ status: 401, body: { error: "unknown_key" } });
    expect(stub.calls).toBe(2); // within refetchIntervalMs of the last fetch: no new one
  });

  it("honours Cache-Control max-age: no refetch while fresh, one once expired", async () => {
    const clock: Clock = { now: T0 };
    const sender = signer(clock);
    const stub = jwksStub([sender], "max-age=600");
    const { receiver } = receiverWith(clock, stub);
    for (let index = 0; index < 3; index++) {
      const signed = delivery(sender);
      expect((await receiver.receive(signed.lookup, signed.body)).status).toBe(200);
    }
    expect(stub.calls).toBe(1);
    clock.now += 600_000;
    const later = delivery(sender);
    expect((await receiver.receive(later.lookup, later.body)).status).toBe(200);
    expect(stub.calls).toBe(2);
  });

  it("answers 503 (Turnkey retries) when the JWKS is down and nothing is cached, and fetches once for concurrent deliveries", async () => {
    const { sender, stub, receiver, events, errors } = setup();
    stub.mode = "down";
    const answers = await Promise.all([delivery(sender), delivery(sender), delivery(sender)].map((signed) => receiver.receive(signed.lookup, signed.body)));
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503]);
    expect(answers[0]?.body).toEqual({ error: "keys_unavailable" });
    expect(stub.calls).toBe(1);
    expect(events).toHaveLength(0);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("serves stale keys on a failed refetch while stale-if-error allows, then answers 503", async () => {
    const clock: Clock = { now: T0 };
    const sender = signer(clock);
    const stub = jwksStub([sender], "max-age=60, stale-if-error=600");
    const { receiver } = receiverWith(clock, stub, { refetchIntervalMs: 0 });
    const first = delivery(sender);
    expect((await receiver.receive(first.lookup, first.body)).status).toBe(200);
    stub.mode = "500";
    clock.now += 300_000; // expired, within stale-if-error
    const stale = delivery(sender);
    expect((await receiver.receive(stale.lookup, stale.body)).status).toBe(200);
    clock.now += 400_000; // beyond max-age + stale-if-error
    const tooStale = delivery(sender);
    expect((await receiver.receive(tooStale.lookup, tooStale.body)).status).toBe(503);
    expect(stub.calls).toBe(3);
  });

  it("answers 503 when the store fails, and never runs the handler", async () => {
    const failing: SessionStore = {
      get: async () => undefined,
      set: async () => undefined,
      setIfAbsent: async () => {
        throw new Error("redis down");
      },
      delete: async () => undefined,
    };
    const { sender, receiver, events } = setup({ store: failing });
    const signed = delivery(sender);
    expect(await receiver.receive(signed.lookup, signed.body)).toEqual({ status: 503, body: { error: "store_unavailable" } });
    expect(events).toHaveLength(0);
  });

  it("answers 500 when the handler throws and forgets the event id, so Turnkey's retry is handled", async () => {
    const clock: Clock = { now: T0 };
    const sender = signer(clock);
    let calls = 0;
    const receiver = createWebhookReceiver({
      onEvent: () => {
        calls++;
        if (calls === 1) throw new Error("database down");
      },
      fetch: jwksStub([sender]).fetch,
      now: () => clock.now,
    });
    const signed = delivery(sender);
    expect(await receiver.receive(signed.lookup, signed.body)).toEqual({ status: 500, body: { error: "handler_failed" } });
    expect(await receiver.receive(signed.lookup, signed.body)).toEqual({ status: 200, body: { received: true } });
    expect(calls).toBe(2);
  });

  it("refuses an oversized body 413, a signed non-JSON body 400, and missing headers 400", async () => {
    const { sender, receiver } = setup({ maxBodyBytes: 100 });
    const big = delivery(sender, { padding: "x".repeat(200) });
    expect(await receiver.receive(big.lookup, big.body)).toEqual({ status: 413, body: { error: "body_too_large" } });
    expect((await receiver.receive(big.lookup, undefined)).status).toBe(413);
    const headers = sender.signDelivery("event-x", "ACTIVITY_UPDATES", "org-1", "not json");
    expect(await receiver.receive((name) => headers[name], new TextEncoder().encode("not json"))).toEqual({ status: 400, body: { error: "malformed_body" } });
    const signed = delivery(sender, {});
    for (const name of Object.keys(signed.headers).filter((name) => name.startsWith("x-turnkey-signature") || name === "x-turnkey-timestamp" || name === "x-turnkey-event-id")) {
      const answer = await receiver.receive((header) => (header === name ? undefined : signed.headers[header]), signed.body);
      expect(answer, name).toEqual({ status: 400, body: { error: "missing_header" } });
    }
  });

  it("refuses bad options with a TypeError naming the option", () => {
    const onEvent = () => undefined;
    expect(() => createWebhookReceiver({} as never)).toThrow(/"onEvent"/);
    expect(() => createWebhookReceiver({ onEvent, toleranceMs: -1 })).toThrow(/"toleranceMs"/);
    expect(() => createWebhookReceiver({ onEvent, dedupeMs: 1000 })).toThrow(/"dedupeMs"/);
    expect(() => createWebhookReceiver({ onEvent, jwksUrl: "ftp://x" })).toThrow(/"jwksUrl"/);
    expect(() => createWebhookReceiver({ onEvent, store: {} as never })).toThrow(/"store"/);
  });
});

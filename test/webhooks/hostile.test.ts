// Hostile deliveries: arbitrary headers and bodies, and mutations of a genuine delivery, are
// refused with a 4xx (permanent: Turnkey does not retry), never a 5xx, and never reach the handler,
// while the JWKS and the store work; the 5xx answers are kept for those transient failures.
// Header parsing is a single pass over bounded strings (no pattern runs on request data), so a
// 1 MB header is answered as quickly as a short one would be: asserted as an answer, not a timing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { T0, delivery, jwksStub, receiverWith, signer, type Clock } from "../helpers/webhooks/helpers.js";

const HEADER_NAMES = [
  "x-turnkey-timestamp",
  "x-turnkey-event-id",
  "x-turnkey-signature-key-id",
  "x-turnkey-signature-algorithm",
  "x-turnkey-signature-version",
  "x-turnkey-signature",
  "x-turnkey-event-type",
  "x-turnkey-organization-id",
] as const;

function setup() {
  const clock: Clock = { now: T0 };
  const sender = signer(clock);
  const stub = jwksStub([sender]);
  return { clock, sender, stub, ...receiverWith(clock, stub, { maxBodyBytes: 4096 }) };
}

const headerValue = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 50 }), fc.constantFrom("", "v1", "ed25519", String(T0), "0".repeat(128)));

describe("hostile webhook deliveries", () => {
  it("arbitrary headers and bodies: always 4xx, never the handler", async () => {
    const { receiver, events, sender } = setup();
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue), fc.uint8Array({ maxLength: 5000 }), fc.boolean(), async (headers, body, realKeyId) => {
        const all: Record<string, string> = realKeyId ? { ...headers, "x-turnkey-signature-key-id": sender.keyId } : headers;
        const answer = await receiver.receive((name) => all[name], body);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    expect(events).toHaveLength(0);
  });

  it("a genuine delivery with one header or one body byte changed: 4xx, never the handler", async () => {
    const { receiver, events, sender } = setup();
    const genuine = delivery(sender, { id: "a", organizationId: "org-1", status: "ACTIVITY_STATUS_COMPLETED", type: "T" });
    const signedNames = HEADER_NAMES.slice(0, 6);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signedNames), headerValue, fc.nat(), fc.integer({ min: 1, max: 255 }), async (name, value, index, flip) => {
        fc.pre(value !== genuine.headers[name]);
        const headers = { ...genuine.headers, [name]: value };
        const changedHeader = await receiver.receive((header) => headers[header], genuine.body);
        expect(changedHeader.status).toBeGreaterThanOrEqual(400);
        expect(changedHeader.status).toBeLessThan(500);
        const body = genuine.body.slice();
        body[index % body.length] = (body[index % body.length] as number) ^ flip;
        expect((await receiver.receive(genuine.lookup, body)).status).toBe(401);
      }),
      { numRuns: 200 },
    );
    expect(events).toHaveLength(0);
  });

  it("megabyte headers are refused 400 in one pass", async () => {
    const { receiver, sender } = setup();
    const genuine = delivery(sender);
    for (const name of HEADER_NAMES.slice(0, 6)) {
      const headers = { ...genuine.headers, [name]: "9".repeat(1_000_000) };
      expect((await receiver.receive((header) => headers[header], genuine.body)).status, name).toBe(400);
    }
  });

  it("an unknown key id is refused 401 after one refetch; the same while the JWKS is down is 503 (Turnkey retries)", async () => {
    const { clock, receiver, stub } = setup();
    const stranger = delivery(signer(clock));
    expect((await receiver.receive(stranger.lookup, stranger.body)).status).toBe(401);
    const down = setup();
    down.stub.mode = "down";
    expect((await down.receiver.receive(stranger.lookup, stranger.body)).status).toBe(503);
    expect(stub.calls).toBe(1);
  });
});

// The emulator signs as Turnkey does: a delivery it sends verifies with Turnkey's own
// verifyTurnkeyWebhookSignature (@turnkey/crypto), given the key its JWKS publishes; and what
// @turnkey/crypto refuses (an altered body, a stale timestamp), the receiver refuses too.
import { verifyTurnkeyWebhookSignature } from "@turnkey/crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { createWebhookReceiver } from "../../src/webhooks.js";
import { sdkClient } from "../helpers/testing/emulator-helpers.js";

interface Captured {
  headers: Record<string, string>;
  body: Buffer;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** An endpoint that keeps each delivery's headers and exact bytes, and the emulator sending to it. */
async function capturing(): Promise<{ emulator: TurnkeyEmulator; captured: Captured[] }> {
  const captured: Captured[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    captured.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks) });
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const emulator = await startTurnkeyEmulator({ webhooks: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` } });
  closers.push(() => emulator.close());
  return { emulator, captured };
}

async function jwksOf(emulator: TurnkeyEmulator) {
  const response = await fetch(emulator.webhookJwksUrl);
  return { cacheControl: response.headers.get("cache-control"), document: (await response.json()) as { keys: { kid: string; x: string; kty: string; crv: string }[] } };
}

describe("webhook interop with @turnkey/crypto", () => {
  it("serves its JWKS in Turnkey's shape, with Turnkey's Cache-Control", async () => {
    const { emulator } = await capturing();
    const { cacheControl, document } = await jwksOf(emulator);
    expect(cacheControl).toBe("public, max-age=86400, s-maxage=86400, stale-if-error=604800");
    expect(document.keys).toHaveLength(1);
    expect(document.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", turnkey_signature_algorithm: "ed25519", turnkey_signature_version: "v1" });
  });

  it("a delivery the emulator signs verifies with verifyTurnkeyWebhookSignature, and with the receiver", async () => {
    const { emulator, captured } = await capturing();
    await sdkClient(emulator).initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "interop@example.com", appName: "tests" });
    await emulator.webhooksSettled();
    expect(captured).toHaveLength(1);
    const [{ headers, body }] = captured as [Captured];
    const { document } = await jwksOf(emulator);
    const verificationKeys = document.keys.map((key) => ({ keyId: key.kid, publicKey: Buffer.from(key.x, "base64url").toString("hex") }));
    const nowMs = Number(headers["x-turnkey-timestamp"]);
    expect(verifyTurnkeyWebhookSignature({ headers, body, verificationKeys, maxTimestampAgeMs: 300_000, nowMs })).toMatchObject({ ok: true, eventId: headers["x-turnkey-event-id"] });
    const altered = Buffer.from(body.toString("utf8").replace("ACTIVITY_STATUS_COMPLETED", "ACTIVITY_STATUS_FAILED"));
    expect(verifyTurnkeyWebhookSignature({ headers, body: altered, verificationKeys, maxTimestampAgeMs: 300_000, nowMs })).toMatchObject({ ok: false, reason: "invalid_signature" });
    expect(verifyTurnkeyWebhookSignature({ headers, body, verificationKeys, maxTimestampAgeMs: 300_000, nowMs: nowMs + 300_001 })).toMatchObject({ ok: false, reason: "stale_timestamp" });

    let clock = nowMs;
    const receiver = createWebhookReceiver({ onEvent: () => undefined, jwksUrl: emulator.webhookJwksUrl, now: () => clock });
    const lookup = (name: string) => headers[name];
    expect((await receiver.receive(lookup, altered)).body).toEqual({ error: "invalid_signature" });
    clock = nowMs + 300_001;
    expect((await receiver.receive(lookup, body)).body).toEqual({ error: "stale_timestamp" });
    clock = nowMs;
    expect((await receiver.receive(lookup, body)).body).toEqual({ received: true });
  });
});

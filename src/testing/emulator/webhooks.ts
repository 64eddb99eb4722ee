import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { RingBuffer } from "./bounded.js";

/** Where Turnkey serves its webhook signing keys; the emulator serves its own there. */
export const WEBHOOK_JWKS_PATH = "/public/v1/discovery/webhooks/jwks";
// Turnkey's production answer (docs.turnkey.com/api-reference/queries/get-webhook-jwks).
export const WEBHOOK_JWKS_CACHE_CONTROL = "public, max-age=86400, s-maxage=86400, stale-if-error=604800";

/**
 * Where the emulator delivers webhooks for its activities (`ACTIVITY_UPDATES`), signed as Turnkey
 * signs them with its own Ed25519 key (served at `emulator.webhookJwksUrl`).
 *
 * @example
 * ```ts
 * const emulator = await startTurnkeyEmulator({ webhooks: { url: "http://127.0.0.1:3000/webhooks/turnkey", maxAttempts: 3, retryDelayMs: 10 } satisfies EmulatorWebhookOptions });
 * ```
 */
export interface EmulatorWebhookOptions {
  /** The endpoint (http on loopback is fine here; Turnkey itself requires https). */
  url: string;
  /** Attempts per event, the first included; a 5xx or network error is retried, like Turnkey does. Default 3. */
  maxAttempts?: number;
  /** Pause between attempts. Default 50 ms. */
  retryDelayMs?: number;
}

/**
 * One event the emulator delivered (or tried to), for assertions.
 *
 * @example
 * ```ts
 * const [delivery]: EmulatorWebhookDelivery[] = emulator.webhookDeliveries;
 * expect(delivery?.attempts).toEqual([200]);
 * ```
 */
export interface EmulatorWebhookDelivery {
  readonly eventId: string;
  readonly eventType: string;
  readonly organizationId: string;
  /** The status of each attempt, or `"network_error"`. */
  readonly attempts: readonly (number | "network_error")[];
}

const MAX_PENDING = 1000;

/** Signs and delivers the emulator's webhooks, and holds the key its JWKS publishes. */
export class WebhookSender {
  readonly keyId = `emulator-webhook-key-${randomUUID()}`;
  readonly #privateKey: KeyObject;
  readonly #publicX: string;
  readonly #options: Required<EmulatorWebhookOptions> | undefined;
  readonly #now: () => number;
  readonly #log = new RingBuffer<EmulatorWebhookDelivery>(1000);
  readonly #pending = new Set<Promise<void>>();

  constructor(options: EmulatorWebhookOptions | undefined, now: () => number) {
    this.#now = now;
    if (options !== undefined) {
      if (typeof options.url !== "string" || !/^https?:\/\//.test(options.url)) throw new TypeError("startTurnkeyEmulator: webhooks.url must be an http(s) URL");
      const maxAttempts = options.maxAttempts ?? 3;
      const retryDelayMs = options.retryDelayMs ?? 50;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) throw new TypeError("startTurnkeyEmulator: webhooks.maxAttempts must be a whole number from 1 to 20");
      if (!Number.isInteger(retryDelayMs) || retryDelayMs < 0 || retryDelayMs > 60_000) throw new TypeError("startTurnkeyEmulator: webhooks.retryDelayMs must be a whole number of ms from 0 to 60000");
      this.#options = { url: options.url, maxAttempts, retryDelayMs };
    }
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    this.#privateKey = privateKey;
    this.#publicX = publicKey.export({ format: "jwk" }).x as string;
  }

  /** The JWKS document, in Turnkey's shape. */
  jwks(): unknown {
    return {
      keys: [{ kid: this.keyId, kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", x: this.#publicX, turnkey_signature_algorithm: "ed25519", turnkey_signature_version: "v1" }],
    };
  }

  get deliveries(): EmulatorWebhookDelivery[] {
    return this.#log.toArray();
  }

  /** The headers and body of one signed delivery attempt (a fresh timestamp and signature each time, as Turnkey's retries). */
  signDelivery(eventId: string, eventType: string, organizationId: string, body: string): Record<string, string> {
    const timestamp = String(this.#now());
    const signed = Buffer.concat([Buffer.from(`v1.ed25519.${this.keyId}.${timestamp}.${eventId}.`), Buffer.from(body)]);
    return {
      "content-type": "application/json",
      "x-turnkey-timestamp": timestamp,
      "x-turnkey-event-id": eventId,
      "x-turnkey-signature-key-id": this.keyId,
      "x-turnkey-signature-algorithm": "ed25519",
      "x-turnkey-signature-version": "v1",
      "x-turnkey-signature": sign(null, signed, this.#privateKey).toString("hex"),
      "x-turnkey-organization-id": organizationId,
      "x-turnkey-event-type": eventType,
      "x-turnkey-webhook-version": "1",
    };
  }

  /** Delivers an event in the background (nothing when no endpoint is configured). */
  send(eventType: string, organizationId: string, payload: unknown): void {
    const options = this.#options;
    if (options === undefined || this.#pending.size >= MAX_PENDING) return;
    const delivery = this.#deliver(options, eventType, organizationId, JSON.stringify(payload));
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
  }

  /** Resolves once every delivery under way has ended (answered, or out of attempts). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #deliver(options: Required<EmulatorWebhookOptions>, eventType: string, organizationId: string, body: string): Promise<void> {
    const eventId = randomUUID();
    const attempts: (number | "network_error")[] = [];
    for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
      const headers = this.signDelivery(eventId, eventType, organizationId, body);
      const status = await fetch(options.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(10_000) })
        .then(async (response) => (await response.arrayBuffer(), response.status))
        .catch(() => "network_error" as const);
      attempts.push(status);
      // Turnkey: 3xx, 4xx and 429 end the delivery; 5xx and network errors may be retried.
      if (status !== "network_error" && status < 500) break;
    }
    this.#log.push(Object.freeze({ eventId, eventType, organizationId, attempts: Object.freeze(attempts) }));
  }
}

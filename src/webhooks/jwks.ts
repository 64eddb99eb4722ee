import { freshnessOf, type Freshness } from "./cache-control.js";

/**
 * Turnkey's webhook signing keys (docs.turnkey.com/api-reference/queries/get-webhook-jwks): the default `jwksUrl`.
 * @example `createWebhookReceiver({ onEvent, jwksUrl: TURNKEY_WEBHOOK_JWKS_URL })`
 */
export const TURNKEY_WEBHOOK_JWKS_URL = "https://api.turnkey.com/public/v1/discovery/webhooks/jwks";

/** What the cache answers for a key id: the key, a permanent "no such key", or a transient "cannot tell now". */
export type KeyLookup = { readonly key: CryptoKey } | { readonly unknown: true } | { readonly unavailable: true };

/** Settings of a {@link JwksCache}; the webhook verifier's options fill them. */
export interface JwksCacheSettings {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Least time between two fetches that were not due to expiry (an unknown key id, a retry after an error). */
  readonly refetchIntervalMs: number;
  readonly timeoutMs: number;
}

// A JWKS answer larger than this, or with more keys, is refused as a failed fetch.
const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KEYS = 32;
// Without Cache-Control: refetch after 5 minutes, no stale use. Any directive is capped at 7 days.
const DEFAULT_FRESHNESS: Freshness = { maxAgeMs: 5 * 60_000, staleIfErrorMs: 0 };
const CEILING_MS = 7 * 24 * 3_600_000;
const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

interface Snapshot {
  readonly keys: ReadonlyMap<string, CryptoKey>;
  readonly fetchedAt: number;
  readonly freshness: Freshness;
}

/**
 * Turnkey's webhook JWKS, fetched on demand and cached as its `Cache-Control` allows: fresh keys
 * are used as they are; an unknown key id triggers a refetch (Turnkey: "refetch JWKS before
 * rejecting a delivery with an unknown kid"), at most once per `refetchIntervalMs`; one fetch at a
 * time; on a failed fetch the last keys serve while `stale-if-error` allows.
 */
export class JwksCache {
  readonly #settings: JwksCacheSettings;
  #snapshot: Snapshot | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #failedAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<boolean> | undefined;

  constructor(settings: JwksCacheSettings) {
    this.#settings = settings;
  }

  /** The verification key for `keyId`. */
  async lookup(keyId: string): Promise<KeyLookup> {
    const now = this.#settings.now();
    const snapshot = this.#snapshot;
    const fresh = snapshot !== undefined && now < snapshot.fetchedAt + snapshot.freshness.maxAgeMs;
    const cached = snapshot?.keys.get(keyId);
    if (fresh && cached !== undefined) return { key: cached };
    // An expired cache always refetches; an unknown key id in a fresh one at most once per interval.
    if (fresh && now - this.#lastAttemptAt < this.#settings.refetchIntervalMs) return { unknown: true };
    if (await this.#refresh()) {
      const key = this.#snapshot?.keys.get(keyId);
      return key === undefined ? { unknown: true } : { key };
    }
    // The fetch failed: the last keys serve while stale-if-error allows, else Turnkey should retry later.
    const stale = this.#snapshot;
    const usable = stale !== undefined && this.#settings.now() < stale.fetchedAt + stale.freshness.maxAgeMs + stale.freshness.staleIfErrorMs;
    const key = usable ? stale.keys.get(keyId) : undefined;
    return key === undefined ? { unavailable: true } : { key };
  }

  /** Fetches the JWKS (one fetch at a time); `true` when the cache now holds what it answered. */
  #refresh(): Promise<boolean> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    // After a failure, wait refetchIntervalMs before the next attempt: do not hammer an endpoint that is down.
    if (this.#settings.now() - this.#failedAt < this.#settings.refetchIntervalMs) return Promise.resolve(false);
    this.#lastAttemptAt = this.#settings.now();
    this.#inFlight = this.#fetchSnapshot()
      .then((snapshot) => {
        this.#snapshot = snapshot;
        return true;
      })
      .catch(() => {
        this.#failedAt = this.#settings.now();
        return false;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  async #fetchSnapshot(): Promise<Snapshot> {
    const signal = AbortSignal.timeout(this.#settings.timeoutMs);
    const response = await this.#settings.fetch(this.#settings.url, { headers: { accept: "application/json" }, signal, redirect: "manual" });
    // A redirect (manual: not followed, on every runtime) or any other status is a failed fetch.
    if (response.status !== 200) throw new Error(`JWKS answered ${response.status}`);
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > MAX_JWKS_BYTES) throw new Error("JWKS too large");
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error("JWKS too large");
    const keys = await importKeys(JSON.parse(text) as unknown);
    const freshness = freshnessOf(response.headers.get("cache-control"), DEFAULT_FRESHNESS, CEILING_MS);
    return { keys, fetchedAt: this.#settings.now(), freshness };
  }
}

/** The usable Ed25519 signing keys of a JWKS document; keys of another kind or version are skipped. */
async function importKeys(document: unknown): Promise<Map<string, CryptoKey>> {
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list) || list.length > MAX_KEYS) throw new Error("not a JWKS");
  const keys = new Map<string, CryptoKey>();
  for (const entry of list as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const jwk = entry as Record<string, unknown>;
    if (typeof jwk.kid !== "string" || jwk.kid.length === 0 || jwk.kid.length > 256) continue;
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || !BASE64URL_32_BYTES.test(jwk.x)) continue;
    if ((jwk.use !== undefined && jwk.use !== "sig") || (jwk.turnkey_signature_version !== undefined && jwk.turnkey_signature_version !== "v1")) continue;
    try {
      keys.set(jwk.kid, await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" }, false, ["verify"]));
    } catch {
      // An x that is not a point: this key cannot verify anything.
    }
  }
  return keys;
}

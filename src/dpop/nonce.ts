// Server nonces for DPoP (RFC 9449 §8, §9), stateless so that every instance sharing the secret
// accepts every other's without a store round trip: a nonce is base64url(period ‖ HMAC-SHA256(secret,
// period)), where period = floor(now / lifetime). WebCrypto only, as the core runs on Node, Bun,
// Deno and workerd.
import { decodeBase64Url, encodeBase64Url } from "../crypto/base64url.js";

/**
 * Issues and checks this service's DPoP nonces.
 * @example `if (!(await nonces.isFresh(proof.nonce))) refuse(await nonces.current());`
 */
export interface DpopNonces {
  /** The nonce of the current period: the one to send as `DPoP-Nonce`. */
  current(): Promise<string>;
  /** Whether `nonce` was issued with this secret and lifetime, in this period, the previous or the next one. */
  isFresh(nonce: string): Promise<boolean>;
}

/** The nonce settings after validation (see `DpopNonceOptions`). */
export interface ResolvedNonceOptions {
  /** `undefined`: this process's own random secret. */
  readonly secret: Uint8Array<ArrayBuffer> | undefined;
  readonly lifetimeSeconds: number;
}

const PERIOD_BYTES = 4;
const MAC_BYTES = 32;
/** 36 bytes in unpadded base64url: every nonce has exactly this length, and nothing longer is decoded. */
export const NONCE_LENGTH = 48;
// Domain separation: a secret reused elsewhere never yields a MAC that is also a valid nonce.
const LABEL = "turnkey-session-auth/dpop-nonce/v1";
const encoder = new TextEncoder();
const SECRET_BYTES = 32;
// Without a configured secret, one per process, shared by every authenticator in it; made on first
// use, as workerd refuses random values at global scope, where apps build their middleware.
let processSecret: Uint8Array<ArrayBuffer> | undefined;

function webCrypto(): Crypto {
  const found = (globalThis as { crypto?: Crypto }).crypto;
  if (found?.subtle === undefined) throw new TypeError("turnkey-session-auth: DPoP nonces need WebCrypto (crypto.subtle)");
  return found;
}

// The nonce is public (sent to any client), but its comparison still takes the same time wherever
// the strings differ, so that no timing reveals how close a forged one came.
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

/**
 * Creates the {@link DpopNonces} of one secret and lifetime, over `now` (milliseconds). A nonce is
 * accepted in the period it was issued and the next (so for one to two lifetimes), and one period
 * early, for instances whose clocks differ slightly.
 *
 * @example
 * ```ts
 * const nonces = createDpopNonces({ secret, lifetimeSeconds: 300 }, Date.now);
 * response.headers.set("DPoP-Nonce", await nonces.current());
 * ```
 */
export function createDpopNonces(options: ResolvedNonceOptions, now: () => number): DpopNonces {
  const periodMs = options.lifetimeSeconds * 1000;
  let key: Promise<CryptoKey> | undefined;
  // At most the three periods a nonce may come from: each period's nonce is computed once.
  const issued = new Map<number, Promise<string>>();

  function keyOf(): Promise<CryptoKey> {
    if (key === undefined) {
      const secret = options.secret ?? (processSecret ??= webCrypto().getRandomValues(new Uint8Array(SECRET_BYTES)));
      key = webCrypto().subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    }
    return key;
  }

  async function compute(period: number): Promise<string> {
    const mac = await webCrypto().subtle.sign("HMAC", await keyOf(), encoder.encode(`${LABEL}:${options.lifetimeSeconds}:${period}`));
    const bytes = new Uint8Array(PERIOD_BYTES + MAC_BYTES);
    new DataView(bytes.buffer).setUint32(0, period);
    bytes.set(new Uint8Array(mac), PERIOD_BYTES);
    return encodeBase64Url(bytes);
  }

  function nonceOf(period: number, current: number): Promise<string> {
    let nonce = issued.get(period);
    if (nonce === undefined) {
      nonce = compute(period);
      issued.set(period, nonce);
      // A failure is not remembered: the next request computes again.
      nonce.catch(() => {
        issued.delete(period);
        key = undefined;
      });
      for (const known of issued.keys()) if (known < current - 1 || known > current + 1) issued.delete(known);
    }
    return nonce;
  }

  function currentPeriod(): number {
    return Math.floor(now() / periodMs);
  }

  return {
    current() {
      const period = currentPeriod();
      // A clock answering NaN or a time out of range fails closed: no nonce is fresh then.
      if (!(period >= 1 && period < 2 ** 32 - 1)) return Promise.reject(new RangeError("turnkey-session-auth: the clock is out of range for DPoP nonces"));
      return nonceOf(period, period);
    },
    async isFresh(nonce) {
      // Length first: a forged nonce of any size costs one comparison, never a decode.
      if (nonce.length !== NONCE_LENGTH) return false;
      const bytes = decodeBase64Url(nonce);
      if (bytes === undefined || bytes.length !== PERIOD_BYTES + MAC_BYTES) return false;
      const period = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
      const current = currentPeriod();
      if (!(period >= current - 1 && period <= current + 1)) return false;
      return sameText(nonce, await nonceOf(period, current));
    },
  };
}

// Making RFC 9449 DPoP proofs with the Turnkey session's own key, in a browser or any WebCrypto
// runtime. The session key's private half never leaves its signer: @turnkey/core's signWithApiKey
// (raw r‖s hex over SHA-256 of the message, exactly an ES256 JWS signature) or a CryptoKey.
import { decodeBase64Url, encodeBase64Url } from "../crypto/base64url.js";
import { hexToBytes, parseP256PublicKey } from "../crypto/p256.js";

/**
 * Signs the JWS signing input with the session key: ECDSA P-256 over SHA-256(message), as a raw
 * 64-byte `r‖s` signature, in hex (what `signWithApiKey` returns) or bytes.
 * @example `const sign: DpopSigner = (message) => turnkey.signWithApiKey({ message, publicKey });`
 */
export type DpopSigner = (message: string) => string | Uint8Array | Promise<string | Uint8Array>;

/**
 * What {@link createDpopProof} signs for: one request with one session token. Give `sign`
 * (`@turnkey/core`'s `signWithApiKey`) or `privateKey` (a WebCrypto ECDSA P-256 key).
 *
 * @example
 * ```ts
 * const options: DpopProofOptions = { token, method: "POST", url: "https://api.example.com/transfers", sign };
 * ```
 */
export interface DpopProofOptions {
  /** The Turnkey session JWT the request carries (`Authorization: DPoP <token>`). */
  token: string;
  method: string;
  /** The URL called; its query and fragment are left out of the proof (RFC 9449 §4.2). Relative URLs resolve against `location`. */
  url: string | URL;
  /** The session's public key (hex, compressed or not). Default: the token's `public_key` claim. */
  publicKey?: string;
  sign?: DpopSigner;
  privateKey?: CryptoKey;
  /** A server-provided nonce (`DPoP-Nonce`, RFC 9449 §8). */
  nonce?: string;
  /** The current time in milliseconds. Default `Date.now`. */
  now?: () => number;
}

// fetch upper-cases these methods (Fetch standard "normalize a method"); the proof must say what is sent.
const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const encoder = new TextEncoder();

function subtle(): SubtleCrypto {
  const found = (globalThis as { crypto?: Crypto }).crypto;
  if (found?.subtle === undefined) throw new TypeError("turnkey-session-auth/client needs WebCrypto (crypto.subtle)");
  return found.subtle;
}

function base64UrlJson(value: unknown): string {
  return encodeBase64Url(encoder.encode(JSON.stringify(value)));
}

function publicKeyOfToken(token: string): string {
  const payload = decodeBase64Url(token.split(".")[1] ?? "");
  let claims: unknown;
  try {
    claims = payload === undefined ? undefined : JSON.parse(new TextDecoder().decode(payload));
  } catch {
    claims = undefined;
  }
  const publicKey = (claims as { public_key?: unknown } | undefined)?.public_key;
  if (typeof publicKey !== "string") throw new TypeError("turnkey-session-auth/client: the token has no public_key claim; pass publicKey");
  return publicKey;
}

/**
 * The method as fetch sends it.
 * @example `normalizeMethod("post"); // "POST"`
 */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/**
 * The `htu` of a URL: scheme, host and path, without query and fragment (RFC 9449 §4.2).
 * @example `htuOf("https://api.example.com/things?page=2"); // "https://api.example.com/things"`
 */
export function htuOf(url: string | URL): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  const parsed = new URL(url, base);
  return parsed.origin + parsed.pathname;
}

async function signatureOf(options: DpopProofOptions, signingInput: string): Promise<Uint8Array> {
  if (options.privateKey !== undefined) {
    return new Uint8Array(await subtle().sign({ name: "ECDSA", hash: "SHA-256" }, options.privateKey, encoder.encode(signingInput)));
  }
  if (typeof options.sign !== "function") throw new TypeError("turnkey-session-auth/client: pass sign (e.g. signWithApiKey) or privateKey");
  const signed = await options.sign(signingInput);
  const bytes = typeof signed === "string" ? hexToBytes(signed as unknown) : signed;
  if (!(bytes instanceof Uint8Array) || bytes.length !== 64) {
    throw new TypeError("turnkey-session-auth/client: sign must return a raw 64-byte r||s signature (128 hex characters)");
  }
  return bytes;
}

/**
 * Creates the RFC 9449 DPoP proof for one request, signed with the Turnkey session key: header
 * `{ typ: "dpop+jwt", alg: "ES256", jwk }` (the session's public key), claims `{ jti, htm, htu,
 * iat, ath }` (plus `nonce` when given). Send it as the `DPoP` header, with
 * `Authorization: DPoP <token>`. Uses WebCrypto only.
 *
 * @example
 * ```ts
 * const proof = await createDpopProof({
 *   token,
 *   method: "POST",
 *   url: "https://api.example.com/transfers",
 *   sign: (message) => turnkey.signWithApiKey({ message, publicKey }),
 * });
 * await fetch("https://api.example.com/transfers", { method: "POST", headers: { authorization: `DPoP ${token}`, dpop: proof } });
 * ```
 */
export async function createDpopProof(options: DpopProofOptions): Promise<string> {
  const { token, method, url, nonce, now = Date.now } = options;
  if (typeof token !== "string" || token.length === 0) throw new TypeError("turnkey-session-auth/client: token must be the session JWT");
  const point = parseP256PublicKey(options.publicKey ?? publicKeyOfToken(token));
  if (point === undefined) throw new TypeError("turnkey-session-auth/client: publicKey is not a P-256 public key");
  const header = { typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC", crv: "P-256", x: encodeBase64Url(point.x), y: encodeBase64Url(point.y) } };
  const jti = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const ath = encodeBase64Url(new Uint8Array(await subtle().digest("SHA-256", encoder.encode(token))));
  const claims = { jti, htm: normalizeMethod(method), htu: htuOf(url), iat: Math.floor(now() / 1000), ath, ...(nonce === undefined ? {} : { nonce }) };
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
  return `${signingInput}.${encodeBase64Url(await signatureOf(options, signingInput))}`;
}

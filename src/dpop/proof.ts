// The syntax of a DPoP proof (RFC 9449 §4.2), checked before anything costs a hash or a signature.
import { decodeBase64Url } from "../crypto/base64url.js";
import { TurnkeyAuthError } from "../errors.js";
import { LruCache } from "../jwt/lru.js";
import { decodeJsonSegment } from "../jwt/parse.js";

/** The one public key shape a proof may carry (RFC 7518 §6.2.1): full-length P-256 coordinates. */
export interface DpopJwk {
  readonly x: string;
  readonly y: string;
}

/** A proof whose header and claims have the shape RFC 9449 §4.2 requires; nothing about this request yet. */
export interface ParsedDpopProof {
  /** `header_b64 + "." + payload_b64`, the ES256 signing input (RFC 7515 §5.1). */
  readonly signingInput: string;
  readonly signature: Uint8Array;
  readonly jwk: DpopJwk;
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  readonly ath: string;
  /** The server nonce (RFC 9449 §8), judged only where nonces are on. */
  readonly nonce: string | undefined;
}

/** Longer proofs are refused unread: ours and panva's are about 600 characters. */
export const MAX_PROOF_LENGTH = 4096;
// RFC 9449 §11.1: jti is a unique identifier; bounded so that it makes a bounded store key.
const JTI = /^[\x21-\x7e]{1,256}$/;
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;
const HASH = /^[A-Za-z0-9_-]{43}$/;
// RFC 7517 §4 members a public key may carry besides kty, crv, x, y; anything else (d, p, q, dp,
// dq, qi, oth, k…) is refused, so a private key is never accepted (RFC 9449 §4.3 check 7).
const PUBLIC_JWK_MEMBERS = new Set(["kty", "crv", "x", "y", "alg", "use", "kid", "key_ops", "ext"]);
const MAX_HTU_LENGTH = 2048;
// A client sends the same header (its key) on every proof: each accepted header is decoded once.
const MAX_KNOWN_HEADERS = 10_000;
const knownHeaders = new LruCache<string, DpopJwk>(MAX_KNOWN_HEADERS);
const MAX_HTM_LENGTH = 32;

function invalid(detail: string): TurnkeyAuthError {
  return new TurnkeyAuthError("invalid_dpop_proof", `The DPoP proof is invalid: ${detail}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function publicJwkOf(jwk: unknown): DpopJwk {
  if (!isRecord(jwk)) throw invalid("the header has no jwk object");
  for (const member of Object.keys(jwk)) if (!PUBLIC_JWK_MEMBERS.has(member)) throw invalid("the jwk must be a public key and nothing else");
  const { kty, crv, x, y } = jwk;
  if (kty !== "EC" || crv !== "P-256") throw invalid("the jwk must be a P-256 key");
  if (typeof x !== "string" || typeof y !== "string" || !COORDINATE.test(x) || !COORDINATE.test(y)) {
    throw invalid("the jwk coordinates must be 32-byte base64url");
  }
  return { x, y };
}

function checkHeader(header: unknown): DpopJwk {
  if (!isRecord(header)) throw invalid("the header is not a JSON object");
  if (header.typ !== "dpop+jwt") throw invalid('the header typ must be "dpop+jwt"');
  // RFC 9449 §4.3 check 5, RFC 8725 §3.1: the one algorithm a Turnkey session key signs with.
  if (header.alg !== "ES256") throw invalid('the header alg must be "ES256"');
  // RFC 7515 §4.1.11: an extension we do not understand must be refused.
  if (Object.hasOwn(header, "crit")) throw invalid("the header has a crit parameter");
  return publicJwkOf(header.jwk);
}

function checkClaims(claims: unknown): Omit<ParsedDpopProof, "signingInput" | "signature" | "jwk"> {
  if (!isRecord(claims)) throw invalid("the payload is not a JSON object");
  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== "string" || !JTI.test(jti)) throw invalid("jti must be 1 to 256 visible ASCII characters");
  if (typeof htm !== "string" || htm.length === 0 || htm.length > MAX_HTM_LENGTH) throw invalid("htm must be an HTTP method");
  if (typeof htu !== "string" || htu.length === 0 || htu.length > MAX_HTU_LENGTH) throw invalid("htu must be a URL");
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw invalid("iat must be a number of seconds");
  // RFC 9449 §4.2: ath is required when the proof goes with an access token, as ours always does.
  if (typeof ath !== "string" || !HASH.test(ath)) throw invalid("ath must be the base64url SHA-256 of the token");
  // RFC 9449 §4.2: a nonce is a string; whether it is one this server issued is the checker's question.
  if (nonce !== undefined && typeof nonce !== "string") throw invalid("nonce must be a string");
  return { jti, htm, htu, iat, ath, nonce };
}

/**
 * Checks the syntax of a DPoP proof: one compact JWS of canonical base64url segments, header
 * `typ` `dpop+jwt`, `alg` exactly `ES256`, no `crit`, a public P-256 `jwk`, the claims `jti`,
 * `htm`, `htu`, `iat`, `ath`, and a 64-byte signature. Throws `TurnkeyAuthError("invalid_dpop_proof")`.
 *
 * @example
 * ```ts
 * const { jwk, htm, htu, iat, ath } = parseDpopProof(request.headers.dpop);
 * ```
 */
export function parseDpopProof(proof: string): ParsedDpopProof {
  if (proof.length > MAX_PROOF_LENGTH) throw invalid("it is longer than allowed");
  const firstDot = proof.indexOf(".");
  const secondDot = firstDot < 0 ? -1 : proof.indexOf(".", firstDot + 1);
  if (secondDot < 0 || proof.indexOf(".", secondDot + 1) >= 0) throw invalid("it must be a compact JWS of three segments");
  const headerB64 = proof.slice(0, firstDot);
  let jwk = knownHeaders.get(headerB64);
  if (jwk === undefined) {
    jwk = checkHeader(decodeJsonSegment(headerB64));
    knownHeaders.set(headerB64, jwk);
  }
  const claims = checkClaims(decodeJsonSegment(proof.slice(firstDot + 1, secondDot)));
  const signature = decodeBase64Url(proof.slice(secondDot + 1));
  if (signature === undefined || signature.length !== 64) throw invalid("the signature must be 64 bytes (ES256 r||s)");
  return { signingInput: proof.slice(0, secondDot), signature, jwk, ...claims };
}

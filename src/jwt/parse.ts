import { decodeBase64Url } from "../crypto/base64url.js";
import { TurnkeyAuthError } from "../errors.js";

/** A compact JWS split into its parts, with the header already checked. */
export interface ParsedToken {
  /** `header_b64 + "." + payload_b64`: the JWS signing input (RFC 7515 §5.1). */
  readonly signingInput: string;
  /** The payload's bytes, still unparsed: they are read only after the signature is verified. */
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

// The header Turnkey sends, byte for byte: parsed once, then recognised by string comparison.
const TURNKEY_HEADER_B64 = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9";
const textDecoder = new TextDecoder("utf-8", { fatal: true });

function malformed(detail: string): TurnkeyAuthError {
  return new TurnkeyAuthError("malformed_token", `The token is malformed: ${detail}`);
}

/**
 * Decodes a base64url segment holding UTF-8 JSON; `undefined` if it is not canonical base64url,
 * not UTF-8, or not JSON.
 *
 * @example
 * ```ts
 * decodeJsonSegment("eyJhIjoxfQ"); // { a: 1 }
 * ```
 */
export function decodeJsonSegment(segment: string): unknown {
  const bytes = decodeBase64Url(segment);
  return bytes === undefined ? undefined : parseJsonBytes(bytes);
}

/**
 * Parses UTF-8 JSON bytes; `undefined` if they are not UTF-8 or not JSON.
 *
 * @example
 * ```ts
 * parseJsonBytes(new TextEncoder().encode("[1]")); // [1]
 * ```
 */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(textDecoder.decode(bytes));
  } catch {
    return undefined;
  }
}

function checkHeader(headerB64: string): void {
  if (headerB64 === TURNKEY_HEADER_B64) return;
  const header = decodeJsonSegment(headerB64);
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw malformed("the header is not a JSON object");
  const { alg, typ } = header as Record<string, unknown>;
  // RFC 8725 §3.1: accept exactly the one algorithm Turnkey uses; "none", "HS256" and
  // case variants never reach a key. The key itself is configured, never taken from the header
  // (kid/jku/jwk/x5u are ignored), so header-driven key confusion cannot happen.
  if (alg !== "ES256") throw malformed('the header alg must be "ES256"');
  // RFC 7515 §4.1.11: a recipient that does not understand a "crit" extension must reject.
  if (Object.hasOwn(header, "crit")) throw malformed("the header has a crit parameter");
  // RFC 8725 §3.11: explicit typing; Turnkey sends "JWT".
  if (typ !== undefined && typ !== "JWT") throw malformed('the header typ must be "JWT"');
}

/**
 * Splits a compact JWS into exactly three canonical base64url segments, checks the header and
 * decodes the signature. Never looks at the payload: that is read only after the signature has
 * been verified. Throws `TurnkeyAuthError("malformed_token")`.
 *
 * @example
 * ```ts
 * const { signingInput, signature } = parseToken(token);
 * ```
 */
export function parseToken(token: string): ParsedToken {
  const firstDot = token.indexOf(".");
  const secondDot = firstDot < 0 ? -1 : token.indexOf(".", firstDot + 1);
  if (secondDot < 0 || token.indexOf(".", secondDot + 1) >= 0) throw malformed("it must have exactly three segments");
  const headerB64 = token.slice(0, firstDot);
  const payloadB64 = token.slice(firstDot + 1, secondDot);
  if (headerB64.length === 0 || payloadB64.length === 0) throw malformed("a segment is empty");
  checkHeader(headerB64);
  const payload = decodeBase64Url(payloadB64);
  if (payload === undefined) throw malformed("the payload is not canonical base64url");
  const signature = decodeBase64Url(token.slice(secondDot + 1));
  if (signature === undefined) throw malformed("the signature is not canonical base64url");
  if (signature.length !== 64) throw malformed("the signature must be 64 bytes (ES256 r||s)");
  return { signingInput: token.slice(0, secondDot), payload, signature };
}

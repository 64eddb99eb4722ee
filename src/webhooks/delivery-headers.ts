// The headers Turnkey sends with each webhook delivery, read in linear time and bounded in length
// (docs.turnkey.com/features/webhooks/overview, "Delivery headers").

/**
 * Reads one request header by its lower-case name (the first value when repeated).
 * @example `const header: HeaderLookup = (name) => request.headers.get(name) ?? undefined;`
 */
export type HeaderLookup = (name: string) => string | undefined;

/** The signed fields of a delivery, checked for shape (not yet for authenticity). */
export interface DeliveryHeaders {
  readonly timestamp: string;
  readonly timestampMs: number;
  readonly eventId: string;
  readonly keyId: string;
  readonly version: string;
  readonly algorithm: string;
  readonly signature: Uint8Array<ArrayBuffer>;
  /** Unsigned headers: informative only. */
  readonly eventType: string | undefined;
  readonly organizationId: string | undefined;
}

/** Why a delivery's headers are unusable; every reason is a permanent (4xx) refusal. */
export type HeaderProblem = { readonly problem: "missing_header" | "malformed_header" | "unsupported_signature"; readonly header: string };

export const SIGNATURE_VERSION = "v1";
export const SIGNATURE_ALGORITHM = "ed25519";
// Ids are opaque: any visible ASCII, bounded; they end up in the signed input and a store key.
const MAX_ID_LENGTH = 256;
const SIGNATURE_BYTES = 64;

/** Visible ASCII (0x21–0x7e), 1 to `max` characters: a loop, so linear on any input. */
function isVisibleAscii(value: string, max: number): boolean {
  if (value.length === 0 || value.length > max) return false;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/** Decodes exactly `bytes` bytes of hex (either case), or `undefined`. */
export function hexToBytes(hex: string, bytes: number): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length !== bytes * 2) return undefined;
  const out = new Uint8Array(bytes);
  for (let index = 0; index < bytes; index++) {
    const high = hexValue(hex.charCodeAt(2 * index));
    const low = hexValue(hex.charCodeAt(2 * index + 1));
    if (high < 0 || low < 0) return undefined;
    out[index] = high * 16 + low;
  }
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/** Unix milliseconds as Turnkey writes them: digits only, a safe integer (as `@turnkey/crypto` reads them). */
function timestampOf(value: string): number | undefined {
  if (value.length === 0 || value.length > 16) return undefined;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return undefined;
  }
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/** The delivery's signature headers, or the first problem found. */
export function readDeliveryHeaders(header: HeaderLookup): DeliveryHeaders | HeaderProblem {
  const required = (name: string) => {
    const value = header(name);
    return value === undefined || value === "" ? undefined : value;
  };
  const names = ["timestamp", "event-id", "signature-key-id", "signature-algorithm", "signature-version", "signature"] as const;
  const values: Partial<Record<(typeof names)[number], string>> = {};
  for (const name of names) {
    const value = required(`x-turnkey-${name}`);
    if (value === undefined) return { problem: "missing_header", header: `x-turnkey-${name}` };
    values[name] = value;
  }
  const { timestamp, "event-id": eventId, "signature-key-id": keyId, "signature-algorithm": algorithm, "signature-version": version } = values as Record<(typeof names)[number], string>;
  const timestampMs = timestampOf(timestamp);
  if (timestampMs === undefined) return { problem: "malformed_header", header: "x-turnkey-timestamp" };
  if (!isVisibleAscii(eventId, MAX_ID_LENGTH)) return { problem: "malformed_header", header: "x-turnkey-event-id" };
  if (!isVisibleAscii(keyId, MAX_ID_LENGTH)) return { problem: "malformed_header", header: "x-turnkey-signature-key-id" };
  if (version !== SIGNATURE_VERSION) return { problem: "unsupported_signature", header: "x-turnkey-signature-version" };
  if (algorithm !== SIGNATURE_ALGORITHM) return { problem: "unsupported_signature", header: "x-turnkey-signature-algorithm" };
  const signature = hexToBytes(values.signature as string, SIGNATURE_BYTES);
  if (signature === undefined) return { problem: "malformed_header", header: "x-turnkey-signature" };
  const optional = (name: string) => {
    const value = header(name);
    return value !== undefined && isVisibleAscii(value, MAX_ID_LENGTH) ? value : undefined;
  };
  return { timestamp, timestampMs, eventId, keyId, version, algorithm, signature, eventType: optional("x-turnkey-event-type"), organizationId: optional("x-turnkey-organization-id") };
}

/**
 * The bytes Turnkey signs: `v1.ed25519.<keyId>.<timestampMs>.<eventId>.` then the exact raw body
 * (docs.turnkey.com/features/webhooks/verify-signatures, "Signed message format"; header strings verbatim).
 */
export function signedInputOf(headers: Pick<DeliveryHeaders, "version" | "algorithm" | "keyId" | "timestamp" | "eventId">, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = new TextEncoder().encode(`${headers.version}.${headers.algorithm}.${headers.keyId}.${headers.timestamp}.${headers.eventId}.`);
  const input = new Uint8Array(prefix.length + body.length);
  input.set(prefix, 0);
  input.set(body, prefix.length);
  return input;
}

// Strict base64url (RFC 4648 §5) without padding, as JWS compact serialization requires
// (RFC 7515 §2). Node's Buffer.from(s, "base64url") silently skips characters outside the
// alphabet and ignores non-zero trailing bits, so two different strings could decode to the
// same bytes; this decoder accepts only the one canonical spelling of each byte string.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUE_OF = new Int8Array(128).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) VALUE_OF[ALPHABET.charCodeAt(index)] = index;

/** Exactly the base64url alphabet, nothing else (no padding, no whitespace). */
const CANONICAL_CHARACTERS = /^[A-Za-z0-9_-]*$/;

type NodeBufferClass = { from(text: string, encoding: "base64url"): Uint8Array };
// Node's and Bun's Buffer decode natively; it is only handed text already proven canonical, so its
// leniency never matters. Found at run time, so bundles for other runtimes need no Buffer.
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (VALUE_OF[code] as number) : -1;
}

/**
 * Decodes canonical unpadded base64url, or returns `undefined` for any other input: characters
 * outside `[A-Za-z0-9_-]`, padding, an impossible length, or non-zero trailing bits.
 *
 * @example
 * ```ts
 * decodeBase64Url("eyJhIjoxfQ"); // bytes of '{"a":1}'
 * decodeBase64Url("eyJhIjoxfQ=="); // undefined: padding is not canonical in a JWT
 * ```
 */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  const length = text.length;
  const tail = length % 4;
  if (tail === 1) return undefined;
  if (NodeBuffer !== undefined) {
    if (!CANONICAL_CHARACTERS.test(text)) return undefined;
    // Canonical means the bits past the last whole byte are zero (RFC 4648 §3.5).
    if (tail !== 0 && (sextet(text, length - 1) & (tail === 2 ? 0x0f : 0x03)) !== 0) return undefined;
    const bytes = NodeBuffer.from(text, "base64url");
    // A plain Uint8Array view, not the Buffer subclass: callers see the same type either way.
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const output = new Uint8Array(((length * 3) >> 2) | 0);
  let written = 0;
  let index = 0;
  for (const whole = length - tail; index < whole; index += 4) {
    const a = sextet(text, index);
    const b = sextet(text, index + 1);
    const c = sextet(text, index + 2);
    const d = sextet(text, index + 3);
    if ((a | b | c | d) < 0) return undefined;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    output[written++] = bits >> 16;
    output[written++] = (bits >> 8) & 0xff;
    output[written++] = bits & 0xff;
  }
  if (tail === 2) {
    const a = sextet(text, index);
    const b = sextet(text, index + 1);
    if ((a | b) < 0 || (b & 0x0f) !== 0) return undefined;
    output[written++] = (a << 2) | (b >> 4);
  } else if (tail === 3) {
    const a = sextet(text, index);
    const b = sextet(text, index + 1);
    const c = sextet(text, index + 2);
    if ((a | b | c) < 0 || (c & 0x03) !== 0) return undefined;
    output[written++] = (a << 2) | (b >> 4);
    output[written++] = ((b & 0x0f) << 4) | (c >> 2);
  }
  return output;
}

/**
 * Encodes bytes as unpadded base64url.
 *
 * @example
 * ```ts
 * encodeBase64Url(new TextEncoder().encode('{"a":1}')); // "eyJhIjoxfQ"
 * ```
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  let text = "";
  let index = 0;
  for (const whole = bytes.length - (bytes.length % 3); index < whole; index += 3) {
    const bits = ((bytes[index] as number) << 16) | ((bytes[index + 1] as number) << 8) | (bytes[index + 2] as number);
    text += ALPHABET[bits >> 18]! + ALPHABET[(bits >> 12) & 63]! + ALPHABET[(bits >> 6) & 63]! + ALPHABET[bits & 63]!;
  }
  const rest = bytes.length - index;
  if (rest === 1) {
    const bits = (bytes[index] as number) << 16;
    text += ALPHABET[bits >> 18]! + ALPHABET[(bits >> 12) & 63]!;
  } else if (rest === 2) {
    const bits = ((bytes[index] as number) << 16) | ((bytes[index + 1] as number) << 8);
    text += ALPHABET[bits >> 18]! + ALPHABET[(bits >> 12) & 63]! + ALPHABET[(bits >> 6) & 63]!;
  }
  return text;
}

// A CBOR reader (RFC 8949) for exactly what a WebAuthn attestation holds: the attestation object
// and the COSE key in its authenticator data (WebAuthn §6.5.4, §6.5.1.1). Untrusted input, so:
// definite lengths only, no tags, no floats, nesting at most MAX_DEPTH, every length checked against
// the bytes left before anything is allocated. Each byte is read once: linear time.

/** A decoded CBOR item. Maps keep integer and text keys; byte strings are views into the input. */
export type CborValue = number | string | Uint8Array | boolean | null | CborValue[] | Map<number | string, CborValue>;

/** Malformed, unsupported or too deeply nested CBOR. */
export class CborError extends Error {
  override readonly name = "CborError";
}

// Containers nest at most this deep: attestationObject → attStmt → x5c (an array of certificates)
// is the deepest any attestation format goes (WebAuthn §8).
const MAX_DEPTH = 3;

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_SIMPLE = 7;
const SIMPLE_VALUES: ReadonlyMap<number, boolean | null> = new Map<number, boolean | null>([
  [20, false],
  [21, true],
  [22, null],
]);

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function utf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new CborError("CBOR: a text string is not UTF-8");
  }
}

class Reader {
  #offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset: number,
  ) {
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  byte(): number {
    if (this.remaining < 1) throw new CborError("CBOR: unexpected end of input");
    return this.bytes[this.#offset++] as number;
  }

  take(length: number): Uint8Array {
    if (length > this.remaining) throw new CborError("CBOR: a length runs past the end of the input");
    const slice = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return slice;
  }

  /** The argument of an item head (RFC 8949 §3): the value itself below 24, else 1, 2, 4 or 8 bytes. */
  argument(additional: number): number {
    if (additional < 24) return additional;
    const size = additional === 24 ? 1 : additional === 25 ? 2 : additional === 26 ? 4 : additional === 27 ? 8 : 0;
    if (size === 0) throw new CborError("CBOR: indefinite lengths and reserved values are not supported");
    let value = 0;
    for (const byte of this.take(size)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new CborError("CBOR: integer out of range");
    return value;
  }

  item(depth: number): CborValue {
    const head = this.byte();
    const major = head >> 5;
    const additional = head & 0x1f;
    if (major === MAJOR_SIMPLE) {
      const simple = SIMPLE_VALUES.get(additional);
      if (simple === undefined) throw new CborError("CBOR: only false, true and null are supported among simple values and floats");
      return simple;
    }
    const argument = this.argument(additional);
    switch (major) {
      case MAJOR_UNSIGNED:
        return argument;
      case MAJOR_NEGATIVE:
        return -1 - argument;
      case MAJOR_BYTES:
        return this.take(argument);
      case MAJOR_TEXT:
        return utf8(this.take(argument));
      case MAJOR_ARRAY:
        return this.#array(argument, depth);
      case MAJOR_MAP:
        return this.#map(argument, depth);
      default:
        throw new CborError("CBOR: tags are not supported");
    }
  }

  #nested(count: number, perEntry: number, depth: number): void {
    if (depth >= MAX_DEPTH) throw new CborError("CBOR: nested too deeply");
    // Every item takes at least one byte: a count the input cannot hold is refused before looping.
    if (count * perEntry > this.remaining) throw new CborError("CBOR: more entries than bytes left");
  }

  #array(count: number, depth: number): CborValue[] {
    this.#nested(count, 1, depth);
    const items: CborValue[] = [];
    for (let index = 0; index < count; index++) items.push(this.item(depth + 1));
    return items;
  }

  #map(count: number, depth: number): Map<number | string, CborValue> {
    this.#nested(count, 2, depth);
    const map = new Map<number | string, CborValue>();
    for (let index = 0; index < count; index++) {
      const key = this.item(depth + 1);
      if (typeof key !== "number" && typeof key !== "string") throw new CborError("CBOR: map keys must be integers or text");
      if (map.has(key)) throw new CborError("CBOR: duplicate map key");
      map.set(key, this.item(depth + 1));
    }
    return map;
  }
}

/**
 * Reads the one CBOR item starting at `offset`; `end` is the offset just past it (WebAuthn's
 * authenticator data holds a COSE key followed by more bytes). Throws a {@link CborError}.
 */
export function readCbor(bytes: Uint8Array, offset = 0): { value: CborValue; end: number } {
  const reader = new Reader(bytes, offset);
  const value = reader.item(0);
  return { value, end: reader.offset };
}

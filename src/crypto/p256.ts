// P-256 (secp256r1) facts used to validate keys and signatures before they reach native crypto.
// Parameters from SEC 2 v2 §2.4.2 / FIPS 186-4 D.1.2.3.

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

/** An affine P-256 point as 32-byte big-endian coordinates. */
export interface P256Point {
  readonly x: Uint8Array;
  readonly y: Uint8Array;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Decodes an even-length hex string, or returns `undefined`.
 *
 * @example
 * ```ts
 * hexToBytes("0aff"); // Uint8Array [10, 255]
 * ```
 */
export function hexToBytes(hex: string): Uint8Array;
export function hexToBytes(hex: unknown): Uint8Array | undefined;
export function hexToBytes(hex: unknown): Uint8Array | undefined {
  if (typeof hex !== "string" || !HEX.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bigIntTo32Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let index = 31; index >= 0; index--) {
    bytes[index] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  base %= P;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % P;
    base = (base * base) % P;
    exponent >>= 1n;
  }
  return result;
}

function curveRightSide(x: bigint): bigint {
  // y² = x³ − 3x + b (mod p)
  return (((x * x * x - 3n * x + B) % P) + P) % P;
}

/**
 * Parses a SEC 1 §2.3.3 public key given as hex, compressed (`02`/`03` ‖ X) or uncompressed
 * (`04` ‖ X ‖ Y), and checks that it is a point on P-256 (not the point at infinity, which has
 * no such encoding). Returns `undefined` for anything else, so invalid-curve keys never reach
 * the verifier.
 *
 * @example
 * ```ts
 * parseP256PublicKey("0399fe2ace6208af0adf848f44bc48210b594b7e69ecd91ec968fd75b3bb448336"); // { x, y }
 * parseP256PublicKey("04" + "00".repeat(64)); // undefined
 * ```
 */
export function parseP256PublicKey(hex: string): P256Point | undefined {
  const bytes = hexToBytes(hex as unknown);
  if (bytes === undefined) return undefined;
  const prefix = bytes[0];
  if (bytes.length === 65 && prefix === 0x04) {
    const x = bytesToBigInt(bytes.subarray(1, 33));
    const y = bytesToBigInt(bytes.subarray(33));
    if (x >= P || y >= P || (y * y) % P !== curveRightSide(x)) return undefined;
    return { x: bytes.slice(1, 33), y: bytes.slice(33) };
  }
  if (bytes.length === 33 && (prefix === 0x02 || prefix === 0x03)) {
    const x = bytesToBigInt(bytes.subarray(1));
    if (x >= P) return undefined;
    const ySquared = curveRightSide(x);
    // p ≡ 3 (mod 4), so a square root is ySquared^((p+1)/4).
    let y = modPow(ySquared, (P + 1n) / 4n);
    if ((y * y) % P !== ySquared) return undefined;
    if ((y & 1n) !== BigInt(prefix & 1)) y = P - y;
    return { x: bytes.slice(1), y: bigIntTo32Bytes(y) };
  }
  return undefined;
}

/**
 * Whether a raw 64-byte `r ‖ s` signature has both scalars in `[1, n − 1]`. Signatures outside
 * that range are invalid by definition (SEC 1 §4.1.4 step 1); checking it ourselves keeps the
 * "psychic signature" class (r = s = 0, CVE-2022-21449) out whatever the backend does. High-S
 * values are deliberately allowed: Turnkey's notarizer does not normalise to low-S.
 *
 * @example
 * ```ts
 * hasScalarsInRange(new Uint8Array(64)); // false: r = s = 0
 * ```
 */
export function hasScalarsInRange(signature: Uint8Array): boolean {
  return (
    signature.length === 64 &&
    isScalarInRange(signature.subarray(0, 32)) &&
    isScalarInRange(signature.subarray(32, 64))
  );
}

/** The group order n, big-endian, for byte-wise range checks of signature scalars. */
const ORDER_BYTES = hexToBytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

function isScalarInRange(scalar: Uint8Array): boolean {
  let isZero = true;
  let comparison = 0; // sign of (scalar − n) at the first differing byte
  for (let index = 0; index < 32; index++) {
    const byte = scalar[index] as number;
    if (byte !== 0) isZero = false;
    if (comparison === 0) comparison = byte - (ORDER_BYTES[index] as number);
  }
  return !isZero && comparison < 0;
}

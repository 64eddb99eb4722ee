// The DER forms OpenSSL reads natively: an SPKI key (RFC 5480) and an ECDSA-Sig-Value (RFC 3279),
// so node:crypto converts neither.
import type { P256Point } from "./p256.js";

// SubjectPublicKeyInfo of an id-ecPublicKey on prime256v1 (RFC 5480 §2), up to the BIT STRING
// that holds the uncompressed point (SEC 1 §2.3.3: 0x04 ‖ x ‖ y).
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
  0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
]);

/**
 * The DER SubjectPublicKeyInfo of a P-256 point, as `createPublicKey({ format: "der", type: "spki" })` takes it.
 *
 * @example
 * ```ts
 * const key = createPublicKey({ key: p256SpkiDer(point), format: "der", type: "spki" });
 * ```
 */
export function p256SpkiDer(point: P256Point): Uint8Array {
  const der = new Uint8Array(P256_SPKI_PREFIX.length + 64);
  der.set(P256_SPKI_PREFIX);
  der.set(point.x, P256_SPKI_PREFIX.length);
  der.set(point.y, P256_SPKI_PREFIX.length + 32);
  return der;
}

/**
 * An ECDSA-Sig-Value (RFC 3279 §2.2.3: SEQUENCE of two INTEGERs) from a raw P-256 `r ‖ s`.
 * The caller has checked both scalars are in [1, n − 1] (so neither is zero and the result is
 * at most 72 bytes, one length byte each).
 *
 * @example
 * ```ts
 * if (hasScalarsInRange(rawSignature)) verify("sha256", message, key, rawSignatureToDer(rawSignature));
 * ```
 */
export function rawSignatureToDer(signature: Uint8Array): Uint8Array {
  // Defence in depth: anything but 64 bytes becomes an empty signature, which never verifies.
  if (signature.length !== 64) return new Uint8Array(0);
  const rStart = firstSignificantByte(signature, 0);
  const sStart = firstSignificantByte(signature, 32);
  // A DER INTEGER is signed: a leading byte ≥ 0x80 needs a 0x00 before it.
  const rPad = (signature[rStart] as number) >= 0x80 ? 1 : 0;
  const sPad = (signature[sStart] as number) >= 0x80 ? 1 : 0;
  const rLength = 32 - rStart + rPad;
  const sLength = 64 - sStart + sPad;
  const der = new Uint8Array(6 + rLength + sLength);
  der[0] = 0x30;
  der[1] = 4 + rLength + sLength;
  der[2] = 0x02;
  der[3] = rLength;
  der.set(signature.subarray(rStart, 32), 4 + rPad);
  const sAt = 4 + rLength;
  der[sAt] = 0x02;
  der[sAt + 1] = sLength;
  der.set(signature.subarray(sStart, 64), sAt + 2 + sPad);
  return der;
}

// Leading zero bytes are not allowed in DER (X.690 §8.3.2); a scalar is never all zeros here.
function firstSignificantByte(signature: Uint8Array, start: number): number {
  let index = start;
  while (index < start + 31 && signature[index] === 0) index++;
  return index;
}

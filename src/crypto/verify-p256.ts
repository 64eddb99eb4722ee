import { nativeCrypto, type P256SignatureCheck } from "./native.js";
import { hasScalarsInRange, parseP256PublicKey } from "./p256.js";

// Stamps are checked against a handful of keys; keep their imports, within a small bound.
const MAX_IMPORTED_KEYS = 64;
const importedKeys = new Map<string, P256SignatureCheck>();

function importedKey(publicKeyHex: string): P256SignatureCheck {
  let check = importedKeys.get(publicKeyHex);
  if (check !== undefined) return check;
  const point = parseP256PublicKey(publicKeyHex);
  if (point === undefined) {
    throw new TypeError("verifyP256Signature: publicKeyHex is not a P-256 public key (SEC 1 hex, compressed or uncompressed)");
  }
  check = nativeCrypto().importP256Key(point);
  if (importedKeys.size >= MAX_IMPORTED_KEYS) importedKeys.delete(importedKeys.keys().next().value as string);
  importedKeys.set(publicKeyHex, check);
  return check;
}

/**
 * Verifies an ECDSA P-256 signature over SHA-256(`message`) with native crypto. `signature` is
 * raw `r ‖ s` (64 bytes, as in JWS ES256 and WebCrypto); anything else, and scalars outside
 * `[1, n − 1]`, is `false`. High-S signatures are valid. The session-JWT check calls this
 * scheme with `message = sha256(header_b64 + "." + payload_b64)`, which makes Turnkey's double
 * hash. Throws a `TypeError` when `publicKeyHex` is not a point on P-256.
 *
 * @example
 * ```ts
 * const ok = await verifyP256Signature(apiPublicKeyHex, new TextEncoder().encode(body), rawSignature);
 * ```
 */
export async function verifyP256Signature(
  publicKeyHex: string,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const check = importedKey(publicKeyHex);
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
  if (!hasScalarsInRange(signature)) return false;
  return check(message, signature);
}

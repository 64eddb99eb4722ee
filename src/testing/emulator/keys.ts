import { ECDH, createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";

/**
 * A P-256 key pair in Turnkey's API-key encoding: compressed public key hex, 32-byte private key hex.
 *
 * @example
 * ```ts
 * const { publicKey, privateKey }: P256KeyPairHex = emulator.apiKey;
 * new ApiKeyStamper({ apiPublicKey: publicKey, apiPrivateKey: privateKey });
 * ```
 */
export interface P256KeyPairHex {
  /** Compressed SEC 1 public key, 66 hex characters: what `ApiKeyStamper` calls `apiPublicKey`. */
  readonly publicKey: string;
  /** The 32-byte private scalar, 64 hex characters: what `ApiKeyStamper` calls `apiPrivateKey`. */
  readonly privateKey: string;
}

// Anchored, one character class each: linear (test/hostile/linear-patterns.test.ts). HEX has no
// length of its own, so its callers bound the length first; isHex adds whole bytes.
const HEX = /^[0-9a-fA-F]+$/;
const COMPRESSED_P256 = /^0[23][0-9a-fA-F]{64}$/;
// An ECDSA P-256 signature in DER: a SEQUENCE of two INTEGERs of at most 33 bytes each (RFC 3279 §2.2.3).
const MAX_DER_SIGNATURE_HEX = 144;

/** Whether `value` is hex of whole bytes: an even number of hex digits. */
function isHex(value: string): boolean {
  return value.length % 2 === 0 && HEX.test(value);
}

/** Whether `value` is a compressed P-256 public key in hex (the encoding Turnkey uses for API keys). */
export function isCompressedP256Hex(value: unknown): value is string {
  return typeof value === "string" && COMPRESSED_P256.test(value);
}

/** Uncompressed public point of a key object, as `04‖X‖Y` hex. */
export function uncompressedHexOf(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  return "04" + Buffer.from(jwk.x as string, "base64url").toString("hex") + Buffer.from(jwk.y as string, "base64url").toString("hex");
}

/** Compressed public point of a key object, as `02|03‖X` hex. */
export function compressedHexOf(key: KeyObject): string {
  return ECDH.convertKey(uncompressedHexOf(key), "prime256v1", "hex", "hex", "compressed") as string;
}

/** Generates a fresh P-256 key pair in Turnkey's API-key encoding. */
export function generateP256KeyPairHex(): P256KeyPairHex {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  return {
    publicKey: compressedHexOf(createPublicKey(privateKey)),
    privateKey: Buffer.from(jwk.d as string, "base64url").toString("hex").padStart(64, "0"),
  };
}

/** A public key object for a compressed or uncompressed P-256 key in hex, or `undefined` if it is not one. */
export function publicKeyFromHex(hex: string): KeyObject | undefined {
  if (typeof hex !== "string" || (hex.length !== 66 && hex.length !== 130) || !isHex(hex)) return undefined;
  try {
    const point = ECDH.convertKey(hex, "prime256v1", "hex", undefined, "uncompressed") as Buffer;
    return createPublicKey({
      key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33, 65).toString("base64url") },
      format: "jwk",
    });
  } catch {
    return undefined;
  }
}

/** A private key object for a key pair in Turnkey's API-key encoding; throws if the halves do not match. */
export function privateKeyFromHex(pair: P256KeyPairHex): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(pair.privateKey)) throw new TypeError("privateKey must be 64 hex characters");
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(pair.privateKey, "hex"));
  if (ecdh.getPublicKey("hex", "compressed") !== pair.publicKey.toLowerCase()) {
    throw new TypeError("publicKey is not the compressed public key of privateKey");
  }
  const point = ecdh.getPublicKey();
  return createPrivateKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
      d: Buffer.from(pair.privateKey, "hex").toString("base64url"),
    },
    format: "jwk",
  });
}

/** ECDSA P-256 over sha256(data), DER-encoded hex: the encoding of API-key stamps and enclave bundles. */
export function signDerHex(key: KeyObject, data: Uint8Array | string): string {
  return sign("sha256", typeof data === "string" ? Buffer.from(data) : data, { key, dsaEncoding: "der" }).toString("hex");
}

/** ECDSA P-256 over sha256(data), raw `r‖s` bytes (JWS ES256, RFC 7518 §3.4). */
export function signRaw(key: KeyObject, data: Uint8Array | string): Buffer {
  return sign("sha256", typeof data === "string" ? Buffer.from(data) : data, { key, dsaEncoding: "ieee-p1363" });
}

/** Verifies an ECDSA P-256 signature over sha256(data), DER or raw `r‖s`, given as hex. Never throws. */
export function verifyHexSignature(publicKeyHex: string, signatureHex: string, data: Uint8Array | string, encoding: "der" | "raw"): boolean {
  const key = publicKeyFromHex(publicKeyHex);
  if (key === undefined || typeof signatureHex !== "string") return false;
  if (encoding === "raw" ? signatureHex.length !== 128 : signatureHex.length > MAX_DER_SIGNATURE_HEX) return false;
  if (!isHex(signatureHex)) return false;
  try {
    return verify(
      "sha256",
      typeof data === "string" ? Buffer.from(data) : data,
      { key, dsaEncoding: encoding === "der" ? "der" : "ieee-p1363" },
      Buffer.from(signatureHex, "hex"),
    );
  } catch {
    return false;
  }
}

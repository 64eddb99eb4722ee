import { createHash, generateKeyPairSync, randomUUID, sign as signWithKey, type KeyObject } from "node:crypto";
import { encodeBase64Url } from "../crypto/base64url.js";
import type { SessionClaims } from "../jwt/claims.js";

/** Options of {@link TestNotarizer.sign}. */
export interface SignSessionOptions {
  /** Seconds until `exp`, from `now`. Default 900 (15 minutes). Ignored when claims set `exp`. */
  expiresInSeconds?: number;
  /** The clock, milliseconds since the epoch. Default `Date.now()`. */
  now?: number;
  /** Replace the JOSE header (for tests of refused headers). Default `{ alg: "ES256", typ: "JWT" }`. */
  header?: Record<string, unknown>;
}

/**
 * A stand-in for Turnkey's notarizer: mints session JWTs in Turnkey's exact scheme with its own
 * key, for testing protected routes offline.
 *
 * @example
 * ```ts
 * const notarizer = createTestNotarizer();
 * const token = await notarizer.sign({ organization_id: "org-1" });
 * ```
 */
export interface TestNotarizer {
  /** The notarizer's public key, uncompressed SEC 1 hex: pass it as `notarizerPublicKey`. */
  readonly publicKey: string;
  /** Mints a session JWT; unspecified claims get fresh, valid defaults. */
  sign(claims?: Partial<SessionClaims>, options?: SignSessionOptions): Promise<string>;
}

const TURNKEY_HEADER = { alg: "ES256", typ: "JWT" };

function compressedPublicKeyHex(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  const x = Buffer.from(jwk.x as string, "base64url");
  const y = Buffer.from(jwk.y as string, "base64url");
  return ((y[31] as number) & 1 ? "03" : "02") + x.toString("hex");
}

function uncompressedPublicKeyHex(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  return "04" + Buffer.from(jwk.x as string, "base64url").toString("hex") + Buffer.from(jwk.y as string, "base64url").toString("hex");
}

function encodeJson(value: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
}

/**
 * Creates a {@link TestNotarizer} with a fresh P-256 key. Its tokens pass `@turnkey/crypto`'s
 * `verifySessionJwtSignature(token, notarizer.publicKey)` and this library's verifier configured
 * with `notarizerPublicKey: notarizer.publicKey`.
 *
 * @example
 * ```ts
 * const notarizer = createTestNotarizer();
 * const verifier = createSessionVerifier({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey });
 * const session = await verifier.verify(await notarizer.sign({ organization_id: "org-1" }));
 * ```
 */
export function createTestNotarizer(): TestNotarizer {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const sessionKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  const defaultSessionPublicKey = compressedPublicKeyHex(sessionKey);

  return {
    publicKey: uncompressedPublicKeyHex(publicKey),
    async sign(claims = {}, options = {}) {
      const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
      const payload = {
        exp: nowSeconds + (options.expiresInSeconds ?? 900),
        public_key: defaultSessionPublicKey,
        session_type: "SESSION_TYPE_READ_WRITE",
        user_id: randomUUID(),
        organization_id: randomUUID(),
        ...claims,
      };
      const signingInput = `${encodeJson(options.header ?? TURNKEY_HEADER)}.${encodeJson(payload)}`;
      // Turnkey's notarizer signs sha256(signingInput) with a signer that hashes again, so the
      // ECDSA message is the first digest; raw r||s as JWS ES256 (RFC 7518 §3.4).
      const firstDigest = createHash("sha256").update(signingInput).digest();
      const signature = signWithKey("sha256", firstDigest, { key: privateKey, dsaEncoding: "ieee-p1363" });
      return `${signingInput}.${encodeBase64Url(signature)}`;
    },
  };
}

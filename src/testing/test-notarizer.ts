import { createHash, createPublicKey, generateKeyPairSync, randomUUID, sign as signWithKey, type KeyObject } from "node:crypto";
import { encodeBase64Url } from "../crypto/base64url.js";

/**
 * The claims {@link TestNotarizer.sign} puts in a token: exactly Turnkey's, in its snake_case
 * spelling, each optional (a fresh, valid default fills the rest). No other key is accepted, so a
 * camelCase `userId` is a type error rather than a claim the verifier ignores; for any other
 * payload use {@link TestNotarizer.signRaw}.
 *
 * @example `const claims: TestSessionClaims = { organization_id: "org-1", user_id: "user-1" };`
 */
export interface TestSessionClaims {
  /** Expiry, seconds since the epoch (RFC 7519 NumericDate), never milliseconds. Default: `expiresInSeconds` from now. */
  readonly exp?: number;
  /** The session's P-256 public key, compressed SEC 1 hex. Default: a fresh key's. */
  readonly public_key?: string;
  /** Default `"SESSION_TYPE_READ_WRITE"`. */
  readonly session_type?: string;
  /** Default: a random UUID. */
  readonly user_id?: string;
  /** Default: a random UUID, which no verifier trusts: set the organization your test trusts. */
  readonly organization_id?: string;
  readonly session_profile_id?: string;
  readonly scope?: string;
}

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
 * The parts of a token for {@link TestNotarizer.signRaw}, signed exactly as given: a string is
 * JSON text (encoded as UTF-8, so duplicate members or `1e309` survive), bytes are taken as they
 * are (invalid UTF-8 included), anything else is `JSON.stringify`-ed.
 * @example `notarizer.signRaw({ payload: '{"exp":1e309,"exp":1}' })`
 */
export interface RawTokenParts {
  /** Default Turnkey's header, `{"alg":"ES256","typ":"JWT"}`. */
  header?: string | Uint8Array | object;
  payload: string | Uint8Array | object;
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
  /**
   * Mints a session JWT; unspecified claims get fresh, valid defaults. Throws a `TypeError` for a
   * claim Turnkey does not issue, or an `exp` (or `now`) that is not a plausible time in its unit.
   */
  sign(claims?: TestSessionClaims, options?: SignSessionOptions): Promise<string>;
  /**
   * Signs any header and payload in Turnkey's scheme, byte for byte: for tests of what a verifier
   * must refuse although the signature is good (odd headers, malformed claims, hostile JSON).
   *
   * @example
   * ```ts
   * const token = notarizer.signRaw({ header: '{"alg":"none"}', payload: '{"exp":1e309}' });
   * ```
   */
  signRaw(parts: RawTokenParts): string;
}

const TURNKEY_HEADER = { alg: "ES256", typ: "JWT" };
const CLAIM_NAMES: ReadonlySet<string> = new Set(["exp", "public_key", "session_type", "user_id", "organization_id", "session_profile_id", "scope"]);
// From 1e11 a count of seconds is past the year 5000 while a count of milliseconds is 1973 on: such
// an `exp` is milliseconds, a token valid for millennia (the verifier's clock check uses the same bound).
const SECONDS_UNTIL = 1e11;

function signError(problem: string): TypeError {
  return new TypeError(`turnkey-session-auth: notarizer.sign(): ${problem}`);
}

function checkClaims(claims: TestSessionClaims): void {
  if (typeof claims !== "object" || claims === null) throw signError("claims must be an object");
  for (const name of Object.keys(claims)) {
    if (!CLAIM_NAMES.has(name)) {
      throw signError(`"${name}" is not a claim Turnkey issues (they are ${[...CLAIM_NAMES].join(", ")}); use signRaw() for any other payload`);
    }
  }
  const { exp } = claims;
  if (exp !== undefined && !(typeof exp === "number" && Number.isFinite(exp) && exp < SECONDS_UNTIL)) {
    const hint = typeof exp === "number" && exp >= SECONDS_UNTIL ? ", not milliseconds (divide by 1000)" : "";
    throw signError(`"exp" must be a finite number of seconds since the epoch${hint}; use signRaw() to sign any other exp`);
  }
}

function checkNow(now: unknown): number {
  if (typeof now !== "number" || !Number.isFinite(now) || now < SECONDS_UNTIL) {
    throw signError('option "now" must be milliseconds since the epoch, like Date.now()');
  }
  return now;
}

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

function encodePart(part: string | Uint8Array | object): string {
  const bytes = part instanceof Uint8Array ? part : new TextEncoder().encode(typeof part === "string" ? part : JSON.stringify(part));
  return encodeBase64Url(bytes);
}

/**
 * Options of {@link createTestNotarizer}.
 * @example `createTestNotarizer({ privateKey: createPrivateKey(process.env.TEST_NOTARIZER_KEY_PEM!) })`
 */
export interface TestNotarizerOptions {
  /** The P-256 private key to sign with (a node:crypto `KeyObject`), e.g. to keep one public key across runs. Default: a fresh key. */
  privateKey?: KeyObject;
}

/**
 * Creates a {@link TestNotarizer}, by default with a fresh P-256 key. Its tokens pass
 * `@turnkey/crypto`'s `verifySessionJwtSignature(token, notarizer.publicKey)` and this library's
 * verifier configured with `notarizerPublicKey: notarizer.publicKey`.
 *
 * @example
 * ```ts
 * const notarizer = createTestNotarizer();
 * const verifier = createSessionVerifier({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey });
 * const session = await verifier.verify(await notarizer.sign({ organization_id: "org-1" }));
 * ```
 */
export function createTestNotarizer(options: TestNotarizerOptions = {}): TestNotarizer {
  const privateKey = options.privateKey ?? generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  if (privateKey.type !== "private" || privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new TypeError('createTestNotarizer: option "privateKey" must be a P-256 private key');
  }
  const publicKey = createPublicKey(privateKey);
  const sessionKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  const defaultSessionPublicKey = compressedPublicKeyHex(sessionKey);

  // Turnkey's notarizer signs sha256(signingInput) with a signer that hashes again, so the ECDSA
  // message is the first digest; raw r||s as JWS ES256 (RFC 7518 §3.4).
  function signRaw({ header = TURNKEY_HEADER, payload }: RawTokenParts): string {
    const signingInput = `${encodePart(header)}.${encodePart(payload)}`;
    const firstDigest = createHash("sha256").update(signingInput).digest();
    const signature = signWithKey("sha256", firstDigest, { key: privateKey, dsaEncoding: "ieee-p1363" });
    return `${signingInput}.${encodeBase64Url(signature)}`;
  }

  return {
    publicKey: uncompressedPublicKeyHex(publicKey),
    async sign(claims = {}, options = {}) {
      checkClaims(claims);
      const nowSeconds = Math.floor(checkNow(options.now ?? Date.now()) / 1000);
      const exp = nowSeconds + (options.expiresInSeconds ?? 900);
      if (claims.exp === undefined && !(Number.isFinite(exp) && exp < SECONDS_UNTIL)) {
        throw signError('option "expiresInSeconds" must be a number of seconds, not milliseconds');
      }
      const payload = {
        exp,
        public_key: defaultSessionPublicKey,
        session_type: "SESSION_TYPE_READ_WRITE",
        user_id: randomUUID(),
        organization_id: randomUUID(),
        ...claims,
      };
      return signRaw({ header: options.header ?? TURNKEY_HEADER, payload });
    },
    signRaw,
  };
}

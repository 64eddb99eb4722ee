import { createHash, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type JsonWebKey, type KeyObject } from "node:crypto";

/**
 * Claims of an OIDC ID token minted by {@link OidcIssuer.sign}. `iss`, `iat` and `exp` default to the
 * issuer, now, and ten minutes from now (seconds since the epoch, as OIDC Core §2 says).
 *
 * @example
 * ```ts
 * const claims: OidcTokenClaims = { sub: "user-1", aud: "my-app", nonce: oauthNonceOf(publicKey) };
 * ```
 */
export interface OidcTokenClaims {
  sub: string;
  aud: string;
  /** For Turnkey's OAUTH_LOGIN: the lowercase hex SHA-256 of the client's hex public key text ({@link oauthNonceOf}). */
  nonce?: string;
  iss?: string;
  iat?: number;
  exp?: number;
  email?: string;
  email_verified?: boolean;
}

/**
 * A small local OIDC issuer (ES256, its own key set) standing in for Google, Apple or Auth0 in
 * tests and the demo: the emulator trusts its own (`emulator.oidcIssuer`); one made with
 * {@link createOidcIssuer} is an issuer the emulator does not know.
 *
 * @example
 * ```ts
 * const idToken = emulator.oidcIssuer.sign({ sub: "user-1", aud: "my-app", nonce: oauthNonceOf(publicKey) });
 * ```
 */
export interface OidcIssuer {
  /** The `iss` of its tokens. */
  readonly issuer: string;
  /** Its public keys, as a JWKS (RFC 7517 §5) would serve them. */
  readonly jwks: { readonly keys: readonly JsonWebKey[] };
  /** Mints an ID token (compact JWS) with these claims. */
  sign(claims: OidcTokenClaims): string;
}

/** What the emulator reads from an OIDC token it verified. */
export interface VerifiedOidcToken {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly nonce: string | undefined;
  readonly exp: number;
}

const TOKEN_SECONDS = 600;
const issuerKeys = new WeakMap<OidcIssuer, { kid: string; publicKey: KeyObject }>();

/**
 * Turnkey's OAuth nonce for a session key: lowercase hex SHA-256 of the key's hex text (what
 * Turnkey's frontend SDKs put in the OIDC request, binding the ID token to that key).
 *
 * @example
 * ```ts
 * const nonce = oauthNonceOf(clientKey.publicKey);
 * ```
 */
export function oauthNonceOf(publicKeyHex: string): string {
  return createHash("sha256").update(publicKeyHex, "utf8").digest("hex");
}

/**
 * Creates a local OIDC issuer with a fresh P-256 key.
 *
 * @example
 * ```ts
 * const stranger = createOidcIssuer({ issuer: "https://stranger.example" });
 * const token = stranger.sign({ sub: "u", aud: "my-app" });
 * ```
 */
export function createOidcIssuer(options: { issuer?: string; now?: () => number } = {}): OidcIssuer {
  const issuer = options.issuer ?? `https://oidc-${randomUUID()}.emulator.invalid`;
  const now = options.now ?? Date.now;
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" };
  const created: OidcIssuer = {
    issuer,
    jwks: Object.freeze({ keys: Object.freeze([Object.freeze(jwk)]) }),
    sign(claims) {
      const iat = claims.iat ?? Math.floor(now() / 1000);
      const payload = { iss: issuer, iat, exp: iat + TOKEN_SECONDS, ...claims };
      const input = `${base64urlJson({ alg: "ES256", typ: "JWT", kid })}.${base64urlJson(payload)}`;
      return `${input}.${sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
    },
  };
  issuerKeys.set(created, { kid, publicKey: createPublicKey(privateKey) });
  return Object.freeze(created);
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/**
 * Verifies an ID token as Turnkey does before trusting it: signed (ES256) by the key of a known
 * issuer whose `iss` it names, unexpired, with `sub` and a single `aud`. Returns why not otherwise.
 */
export function verifyOidcToken(token: string, issuers: readonly OidcIssuer[], nowMs: number): VerifiedOidcToken | string {
  const parts = token.length <= 8192 ? token.split(".") : [];
  if (parts.length !== 3) return "the OIDC token is not a JWT";
  let header: { alg?: unknown; kid?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString("utf8")) as typeof header;
    claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return "the OIDC token is not a JWT";
  }
  if (claims === null || typeof claims !== "object") return "the OIDC token is not a JWT";
  const issuer = issuers.find((candidate) => candidate.issuer === claims.iss);
  const key = issuer === undefined ? undefined : issuerKeys.get(issuer);
  if (key === undefined) return "the OIDC token's issuer is not a known OIDC provider";
  if (header.alg !== "ES256" || header.kid !== key.kid) return "the OIDC token is not signed by its issuer's key";
  const signature = Buffer.from(parts[2] as string, "base64url");
  if (!verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature)) {
    return "the OIDC token is not signed by its issuer's key";
  }
  const { sub, aud, nonce, exp } = claims;
  if (typeof exp !== "number" || exp * 1000 <= nowMs) return "the OIDC token has expired";
  if (typeof sub !== "string" || sub.length === 0 || typeof aud !== "string" || aud.length === 0) return "the OIDC token needs a sub and a single aud";
  return { iss: issuer!.issuer, sub, aud, nonce: typeof nonce === "string" ? nonce : undefined, exp };
}

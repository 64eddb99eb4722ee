/**
 * Why a request was not authenticated or not authorized.
 *
 * - `invalid_request`: the request target is ambiguous (a dot segment, an encoded slash…), so path
 *   policies cannot judge it (RFC 6750 §3.1 `invalid_request`, 400).
 * - `missing_token`: no bearer token was presented (RFC 6750 §3.1: no `error` attribute).
 * - `malformed_token`: not a well-formed Turnkey session JWT, or an unusable `Authorization` header.
 * - `invalid_signature`: well formed, but not signed by the trusted notarizer key.
 * - `token_expired`: signed, but past `exp` (beyond the clock tolerance).
 * - `invalid_claims`: signed, but the claims do not have Turnkey's shape.
 * - `untrusted_organization`: signed by Turnkey, but for an organization this app does not trust.
 * - `session_revoked`: signed and unexpired, but the session was ended (logout, `verifier.revoke`).
 * - `forbidden`: authenticated, but an authorization policy denied the request.
 * - `unavailable`: a trust, policy or store check could not be completed (fail closed).
 *
 * DPoP (RFC 9449), on routes with the `dpop` option:
 * - `dpop_required`: the route needs a DPoP-bound request, and got a Bearer token or cookie (no downgrade).
 * - `invalid_dpop_proof`: no proof, several, or not a well-formed ES256 `dpop+jwt` with a public P-256 `jwk`.
 * - `dpop_key_mismatch`: the proof's `jwk` is not the session's own key (`public_key`).
 * - `dpop_method_mismatch` / `dpop_url_mismatch`: `htm` / `htu` is not this request's method / URL.
 * - `dpop_stale_proof`: `iat` is outside the accepted window.
 * - `dpop_token_mismatch`: `ath` is not the hash of the presented token.
 * - `dpop_invalid_signature`: the proof is not signed by the session key.
 * - `dpop_replayed`: this proof (`jti`) was already used.
 * - `use_dpop_nonce`: server nonces are on and the proof has no nonce, or not a fresh one this
 *   service issued (RFC 9449 §9); the refusal carries a fresh `DPoP-Nonce` to retry with.
 */
export type TurnkeyAuthErrorCode =
  | "invalid_request"
  | "missing_token"
  | "malformed_token"
  | "invalid_signature"
  | "token_expired"
  | "invalid_claims"
  | "untrusted_organization"
  | "session_revoked"
  | "forbidden"
  | "unavailable"
  | "dpop_required"
  | "invalid_dpop_proof"
  | "dpop_key_mismatch"
  | "dpop_method_mismatch"
  | "dpop_url_mismatch"
  | "dpop_stale_proof"
  | "dpop_token_mismatch"
  | "dpop_invalid_signature"
  | "dpop_replayed"
  | "use_dpop_nonce";

/**
 * The authentication scheme(s) a refusal's challenge names: `Bearer` (RFC 6750), `DPoP` (RFC 9449
 * §7.1), or both where either is accepted (`dpop: "optional"`).
 * @example `new TurnkeyAuthError("missing_token", "No session token was presented", { scheme: "DPoP" })`
 */
export type TurnkeyAuthScheme = "Bearer" | "DPoP" | "Bearer DPoP";

/**
 * Options of {@link TurnkeyAuthError}.
 * @example `new TurnkeyAuthError("forbidden", "Not your wallet", { policy: "ownsWallet", realm: "wallets-api" })`
 */
export interface TurnkeyAuthErrorOptions {
  cause?: unknown;
  /** The name of the policy that denied the request (`forbidden` only). */
  policy?: string;
  /** The RFC 6750 realm of its challenge. Default `"turnkey"`; the adapters set their `realm` option. */
  realm?: string;
  /** Your own code threw (a policy, a trust function, `getToken`): a bug or outage to log, not a credential problem. */
  unexpected?: boolean;
  /** The scheme(s) of its challenge. Default `"Bearer"`; DPoP codes are always `"DPoP"`. */
  scheme?: TurnkeyAuthScheme;
  /** A fresh server nonce to send as `DPoP-Nonce` (RFC 9449 §8), with `use_dpop_nonce`. */
  dpopNonce?: string;
}

const ERROR_NAME = "TurnkeyAuthError";
const DEFAULT_REALM = "turnkey";

/**
 * The HTTP status of a {@link TurnkeyAuthError}: 400 ambiguous request, 401 authentication, 403 authorization, 503 unavailable.
 * @example `const status: TurnkeyAuthErrorStatus = error.status;`
 */
export type TurnkeyAuthErrorStatus = 400 | 401 | 403 | 503;

const STATUS_BY_CODE: Readonly<Record<TurnkeyAuthErrorCode, TurnkeyAuthErrorStatus>> = {
  invalid_request: 400,
  missing_token: 401,
  malformed_token: 401,
  invalid_signature: 401,
  token_expired: 401,
  invalid_claims: 401,
  untrusted_organization: 401,
  session_revoked: 401,
  forbidden: 403,
  unavailable: 503,
  dpop_required: 401,
  invalid_dpop_proof: 401,
  dpop_key_mismatch: 401,
  dpop_method_mismatch: 401,
  dpop_url_mismatch: 401,
  dpop_stale_proof: 401,
  dpop_token_mismatch: 401,
  dpop_invalid_signature: 401,
  dpop_replayed: 401,
  use_dpop_nonce: 401,
};

/**
 * The one error this library throws for a refused request. Its `message` is written by this
 * library and never contains the token.
 *
 * @example
 * ```ts
 * try {
 *   await verifySessionJwt(token, { trustedOrganizations: ["org-id"] });
 * } catch (error) {
 *   if (isTurnkeyAuthError(error) && error.code === "token_expired") askUserToLogInAgain();
 *   else throw error;
 * }
 * ```
 */
export class TurnkeyAuthError extends Error {
  override readonly name = ERROR_NAME;
  /** Machine-readable reason; stable across versions. */
  readonly code: TurnkeyAuthErrorCode;
  /** The HTTP status this error maps to: 400 ambiguous request, 401 authentication, 403 authorization, 503 unavailable. */
  readonly status: TurnkeyAuthErrorStatus;
  /** The name of the policy that denied the request, for `forbidden`. */
  readonly policy: string | undefined;
  /** The realm of {@link wwwAuthenticate}: the adapter's `realm` option, else `"turnkey"`. */
  readonly realm: string;
  /**
   * `true` when your own code threw (a policy, a trust function, `getToken`): the adapters then hand
   * the error to the framework's error path, to be logged, even without `forwardErrors`.
   */
  readonly unexpected: boolean;
  /** The scheme(s) its challenge names: `Bearer`, `DPoP` (RFC 9449), or both. */
  readonly scheme: TurnkeyAuthScheme;
  /** The server nonce the client should retry with (`DPoP-Nonce`, RFC 9449 §8), for `use_dpop_nonce`. */
  readonly dpopNonce: string | undefined;

  constructor(code: TurnkeyAuthErrorCode, message: string, options: TurnkeyAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.policy = options.policy;
    this.realm = options.realm ?? DEFAULT_REALM;
    this.unexpected = options.unexpected === true;
    this.scheme = isDpopCode(code) ? "DPoP" : (options.scheme ?? "Bearer");
    this.dpopNonce = options.dpopNonce;
  }

  /** Same as `status`, for frameworks (Fastify) that read `statusCode`. */
  get statusCode(): TurnkeyAuthErrorStatus {
    return this.status;
  }

  /**
   * Response headers for this error: its `WWW-Authenticate` challenge, and `DPoP-Nonce` when it
   * carries one. Express's final handler, Koa and Fastify copy `err.headers` onto the response, so
   * a forwarded error keeps them.
   */
  get headers(): Readonly<Record<string, string>> {
    const challenge = this.wwwAuthenticate;
    const headers: Record<string, string> = challenge === undefined ? {} : { "www-authenticate": challenge };
    if (this.dpopNonce !== undefined) headers["dpop-nonce"] = this.dpopNonce;
    return headers;
  }

  /**
   * The RFC 6750 §3 `WWW-Authenticate` challenge for this error in its {@link realm}, or
   * `undefined` for `unavailable` (a 503 is not a challenge).
   */
  get wwwAuthenticate(): string | undefined {
    return formatWwwAuthenticate(this, this.realm);
  }
}

/**
 * Whether `value` is a {@link TurnkeyAuthError}. Checks name and code rather than only
 * `instanceof`, because an app can load both the ESM and the CJS copy of this package.
 *
 * @example
 * ```ts
 * if (isTurnkeyAuthError(error)) reply.status(error.status).send({ error: error.code });
 * ```
 */
export function isTurnkeyAuthError(value: unknown): value is TurnkeyAuthError {
  if (value instanceof TurnkeyAuthError) return true;
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === ERROR_NAME &&
    typeof candidate.code === "string" &&
    Object.hasOwn(STATUS_BY_CODE, candidate.code)
  );
}

// The DPoP codes, whose challenge is always `DPoP` (RFC 9449 §7.1).
function isDpopCode(code: TurnkeyAuthErrorCode): boolean {
  return code.startsWith("dpop_") || code === "invalid_dpop_proof" || code === "use_dpop_nonce";
}

// Proof failures are `invalid_dpop_proof`; `dpop_required` (a Bearer token where DPoP is needed) is a
// token problem; `use_dpop_nonce` is its own challenge error (RFC 9449 §9).
function isProofCode(code: TurnkeyAuthErrorCode): boolean {
  return isDpopCode(code) && code !== "dpop_required" && code !== "use_dpop_nonce";
}

// RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
const NOT_IN_DESCRIPTION = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const NOT_IN_REALM = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/**
 * Formats the `WWW-Authenticate` challenge for an error: RFC 6750 §3 for `Bearer`, RFC 9449 §7.1
 * for `DPoP` (with `algs="ES256"`). A missing token gets no `error` attribute (§3.1); an ambiguous
 * request is `invalid_request`; a policy denial is `insufficient_scope`; a DPoP proof failure is
 * `invalid_dpop_proof` (`use_dpop_nonce` for a missing or stale server nonce); any other authentication failure is `invalid_token`. Where both schemes are
 * accepted, a missing token gets both challenges. Returns `undefined` for `unavailable`.
 *
 * @example
 * ```ts
 * formatWwwAuthenticate(error, "my-api");
 * // 'Bearer realm="my-api", error="invalid_token", error_description="The token has expired"'
 * ```
 */
export function formatWwwAuthenticate(error: TurnkeyAuthError, realm: string): string | undefined {
  if (error.code === "unavailable") return undefined;
  const quotedRealm = `realm="${realm.replace(NOT_IN_REALM, "")}"`;
  const dpop = `DPoP ${quotedRealm}, algs="ES256"`;
  const scheme = error.scheme ?? "Bearer";
  if (error.code === "missing_token") {
    if (scheme === "Bearer") return `Bearer ${quotedRealm}`;
    return scheme === "DPoP" ? dpop : `Bearer ${quotedRealm}, ${dpop}`;
  }
  const kind = error.code === "forbidden" ? "insufficient_scope"
    : error.code === "invalid_request" ? "invalid_request"
    : error.code === "use_dpop_nonce" ? "use_dpop_nonce"
    : isProofCode(error.code) ? "invalid_dpop_proof"
    : "invalid_token";
  const attributes = `error="${kind}", error_description="${error.message.replace(NOT_IN_DESCRIPTION, "")}"`;
  return scheme === "Bearer" ? `Bearer ${quotedRealm}, ${attributes}` : `DPoP ${quotedRealm}, ${attributes}, algs="ES256"`;
}

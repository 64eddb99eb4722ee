import { TurnkeyAuthError } from "../errors.js";

/**
 * The payload of a Turnkey session JWT, as Turnkey issues it. `session_type` is
 * `SESSION_TYPE_READ_WRITE`, `SESSION_TYPE_READ_ONLY`, or, for sessions issued through a session
 * profile, that profile's name; such sessions also carry `session_profile_id` and `scope` (a
 * string of Turnkey's policy language).
 *
 * @example
 * ```ts
 * const claims: SessionClaims = {
 *   exp: 1748876837,
 *   public_key: "0399fe2ace6208af0adf848f44bc48210b594b7e69ecd91ec968fd75b3bb448336",
 *   session_type: "SESSION_TYPE_READ_WRITE",
 *   user_id: "6912b819-f4df-40f4-a192-20ee43090974",
 *   organization_id: "c75ecb07-c84a-4dd5-932c-539dfafc6864",
 * };
 * ```
 */
export interface SessionClaims {
  /** Expiry, seconds since the epoch (RFC 7519 NumericDate). */
  readonly exp: number;
  /** The session's own P-256 public key, compressed SEC 1 hex. */
  readonly public_key: string;
  readonly session_type: string;
  readonly user_id: string;
  readonly organization_id: string;
  readonly session_profile_id?: string;
  readonly scope?: string;
  readonly [claim: string]: unknown;
}

/**
 * The session types Turnkey issues without a session profile.
 * @example `const readWrite: BuiltInSessionType = "SESSION_TYPE_READ_WRITE";`
 */
export type BuiltInSessionType = "SESSION_TYPE_READ_WRITE" | "SESSION_TYPE_READ_ONLY";

/**
 * A decoded (and, from `verifySessionJwt`, verified) Turnkey session.
 *
 * @example
 * ```ts
 * const session: TurnkeySession = await verifier.verify(token);
 * console.log(session.userId, session.organizationId, new Date(session.expiresAt * 1000));
 * ```
 */
export interface TurnkeySession {
  readonly userId: string;
  readonly organizationId: string;
  /** A {@link BuiltInSessionType}, or a session profile's name. */
  readonly sessionType: BuiltInSessionType | (string & {});
  /** The session key's public key (compressed P-256 hex): what the frontend signs requests with. */
  readonly publicKey: string;
  /** The `exp` claim: seconds since the epoch. */
  readonly expiresAt: number;
  readonly sessionProfileId?: string;
  readonly scope?: string;
  /** The raw payload, frozen. */
  readonly claims: SessionClaims;
  /** The token this session came from. Never log it: it is a bearer credential. */
  readonly token: string;
}

const REQUIRED_STRING_CLAIMS = ["public_key", "session_type", "user_id", "organization_id"] as const;
const SESSION_PUBLIC_KEY = /^(?:0[23][0-9a-fA-F]{64}|04[0-9a-fA-F]{128})$/;

function invalidClaims(detail: string): TurnkeyAuthError {
  return new TurnkeyAuthError("invalid_claims", `The token's claims are invalid: ${detail}`);
}

/**
 * Checks that a parsed payload has the shape of a Turnkey session and builds the session.
 * Throws `TurnkeyAuthError("invalid_claims")` otherwise. `payload` must come from `JSON.parse`.
 *
 * @example
 * ```ts
 * const session = sessionFromPayload(JSON.parse(payloadJson), token);
 * ```
 */
export function sessionFromPayload(payload: unknown, token: string): TurnkeySession {
  // A plain object only: JSON.parse never yields a prototype other than Object.prototype for
  // `{}`, so this rejects arrays and primitives. An own "__proto__" key stays an inert data
  // property: the claims are frozen and never merged into another object.
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw invalidClaims("the payload is not a JSON object");
  }
  const claims = payload as Record<string, unknown>;
  for (const name of REQUIRED_STRING_CLAIMS) {
    const value = claims[name];
    if (typeof value !== "string" || value.length === 0) throw invalidClaims(`${name} must be a non-empty string`);
  }
  // Number.isFinite also refuses 1e309, which JSON.parse turns into Infinity.
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) throw invalidClaims("exp must be a finite number");
  if (!SESSION_PUBLIC_KEY.test(claims.public_key as string)) throw invalidClaims("public_key must be a P-256 public key in hex");
  for (const name of ["session_profile_id", "scope"] as const) {
    if (Object.hasOwn(claims, name) && typeof claims[name] !== "string") throw invalidClaims(`${name} must be a string`);
  }
  const frozen = Object.freeze(claims) as SessionClaims;
  const session = {
    userId: frozen.user_id,
    organizationId: frozen.organization_id,
    sessionType: frozen.session_type,
    publicKey: frozen.public_key,
    expiresAt: frozen.exp,
    claims: frozen,
  } as Mutable<TurnkeySession>;
  // Not enumerable: logging or JSON-serialising a session must not print the bearer token.
  Object.defineProperty(session, "token", { value: token, enumerable: false });
  if (frozen.session_profile_id !== undefined) session.sessionProfileId = frozen.session_profile_id;
  if (frozen.scope !== undefined) session.scope = frozen.scope;
  return Object.freeze(session);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

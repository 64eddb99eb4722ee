import type { SessionStore } from "../store/session-store.js";
import type { TurnkeySession } from "./claims.js";
import type { RevocableSession } from "./revocations.js";

/**
 * Verifies Turnkey session JWTs with one imported key and one cache. Create it once at start-up
 * and share it: a token it has verified costs no signature check the next time.
 *
 * @example
 * ```ts
 * const verifier = createSessionVerifier({ trustedOrganizations: ["org-id"] });
 * const session = await verifier.verify(token);
 * ```
 */
export interface SessionVerifier {
  /**
   * Resolves with the session, or rejects with a {@link TurnkeyAuthError}: signature, claims,
   * expiry (against `now`) and organization trust, the last two on every call.
   */
  verify(token: string): Promise<TurnkeySession>;
  /**
   * The session of `token` if it is known now: verified before, still cached, unexpired, and its
   * organization trusted by an answer given at once. `undefined` otherwise: then `verify(token)`
   * says what it is (a trust answer still pending is shared with that `verify`). Never throws.
   *
   * @example
   * ```ts
   * const session = verifier.cached(token) ?? (await verifier.verify(token));
   * ```
   */
  cached(token: string): TurnkeySession | undefined;
  /**
   * Ends a session: from now on it is refused with `session_revoked` by this verifier at once, and
   * by every verifier sharing its store as soon as the store delivers it (see docs/revocation.md).
   * Takes a token (its signature is checked first; an expired one needs nothing) or a verified
   * session. Keyed by the session, so every encoding of the token is refused. Rejects with
   * `unavailable` when the store cannot save it.
   *
   * @example
   * ```ts
   * await verifier.revoke(session); // or verifier.revoke(token)
   * ```
   */
  revoke(tokenOrSession: string | RevocableSession): Promise<void>;
  /** The store this verifier shares state through (`VerifyOptions.store`, or its own memory store). */
  readonly store: SessionStore;
  /** The notarizer key (or keys, during a rotation) this verifier trusts, as configured (hex). */
  readonly notarizerPublicKey: string | readonly string[];
  /** Forgets every cached session and remembered refusal. */
  clearCache(): void;
}

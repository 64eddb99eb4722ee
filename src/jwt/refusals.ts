import { TurnkeyAuthError } from "../errors.js";
import type { TurnkeySession } from "./claims.js";

// Refusals of tokens whose signature was checked, so a replay costs no ECDSA check: forgeries, and
// sessions refused for expiry or organization, kept with the session so that both are judged again
// on the replay (a clock set back, or a trust function that changed its mind, re-admits it). Apart
// from the sessions, so a flood of them never evicts this service's own; bounded, so it cannot grow.
export const MAX_REMEMBERED_REFUSALS = 1024;

/** Why a token whose signature was checked was refused, with its session where it has one. */
export type Refusal =
  | { readonly code: "invalid_signature" }
  | { readonly code: "token_expired" | "untrusted_organization"; readonly session: TurnkeySession };

const REFUSAL_MESSAGES = {
  invalid_signature: "The token's signature is not valid for the trusted notarizer key",
  token_expired: "The token has expired",
  untrusted_organization: "The session's organization is not trusted by this service",
} as const;

// The verified session behind a refusal (expired, untrusted): who was refused, for the adapters'
// `onRefused` details. Kept off the error itself, whose session would carry the token.
const refusedSessions = new WeakMap<TurnkeyAuthError, TurnkeySession>();

/** The refusal for `code`, remembering the session it refused (see {@link refusedSessionOf}). */
export function refusalError(code: Refusal["code"], session?: TurnkeySession): TurnkeyAuthError {
  const error = new TurnkeyAuthError(code, REFUSAL_MESSAGES[code]);
  if (session !== undefined) refusedSessions.set(error, session);
  return error;
}

/** The session whose signature verified but which `thrown` refused (expiry, organization), if any. */
export function refusedSessionOf(thrown: unknown): TurnkeySession | undefined {
  return thrown instanceof TurnkeyAuthError ? refusedSessions.get(thrown) : undefined;
}

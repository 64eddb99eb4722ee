import type { TurnkeyAuthError, TurnkeyAuthErrorCode, TurnkeyAuthErrorStatus } from "../errors.js";
import type { TurnkeySession } from "../jwt/claims.js";
import { refusedSessionOf } from "../jwt/refusals.js";
import { isThenable } from "../promises.js";

/**
 * What {@link AuthHooks.onRefused} is told about a refusal, safe to log as it is: no token, no key.
 * `organizationId` and `userId` are there only when the token's signature verified (refused for
 * expiry, organization or a policy): an unverified token's claims are whatever the sender wrote.
 *
 * @example
 * ```ts
 * onRefused: (_error, _req, details) => logger.warn(details, "turnkey: refused");
 * ```
 */
export interface RefusalDetails {
  readonly code: TurnkeyAuthErrorCode;
  readonly status: TurnkeyAuthErrorStatus;
  /** The refusal's message, written by this library (never quotes the request). */
  readonly message: string;
  /** The policy that denied or failed, if one did. */
  readonly policy?: string;
  readonly organizationId?: string;
  readonly userId?: string;
  /** Your own code threw (a policy, a trust function, `getToken`): see `TurnkeyAuthError.unexpected`. */
  readonly unexpected: boolean;
}

/**
 * Observers of every adapter's judgements. They never change the answer: what they return is
 * ignored, and what they throw (or a promise they return rejects with) is swallowed.
 *
 * @example
 * ```ts
 * const hooks: AuthHooks<express.Request> = {
 *   onAuthenticated: (session, req) => audit.login(session.userId, req.ip),
 *   onRefused: (_error, _req, details) => logger.info(details, "refused"),
 * };
 * ```
 */
export interface AuthHooks<Native> {
  /** A session was verified (and the policies granted) from this request's own token. */
  onAuthenticated?: (session: TurnkeySession, request: Native) => unknown;
  /** A request was refused, whatever answers it (the adapter, your `onError`, the error path). */
  onRefused?: (error: TurnkeyAuthError, request: Native, details: RefusalDetails) => unknown;
}

// Sessions refused by a policy, for their details; the verifier keeps its own (refusedSessionOf).
const policyRefusals = new WeakMap<object, TurnkeySession>();

/** Notes that `thrown` refused `session`, whose signature verified. Returns `thrown`. */
export function refusedFor(thrown: unknown, session: TurnkeySession): unknown {
  if (typeof thrown === "object" && thrown !== null) policyRefusals.set(thrown, session);
  return thrown;
}

/**
 * The details of `error`, the refusal made of what was `thrown`.
 * @example `refusalDetails(thrown, failure.error).code`
 */
export function refusalDetails(thrown: unknown, error: TurnkeyAuthError): RefusalDetails {
  const session = (typeof thrown === "object" && thrown !== null ? policyRefusals.get(thrown) : undefined) ?? refusedSessionOf(thrown);
  return {
    code: error.code,
    status: error.status,
    message: error.message,
    ...(error.policy === undefined ? {} : { policy: error.policy }),
    ...(session === undefined ? {} : { organizationId: session.organizationId, userId: session.userId }),
    unexpected: error.unexpected,
  };
}

/** Calls an observer; its throw or rejection is swallowed, since observing must never change an answer. */
export function observe<Args extends unknown[]>(hook: ((...args: Args) => unknown) | undefined, ...args: Args): void {
  if (hook === undefined) return;
  try {
    const returned = hook(...args);
    if (isThenable(returned)) Promise.resolve(returned).catch(() => undefined);
  } catch {
    // Swallowed: see AuthHooks.
  }
}

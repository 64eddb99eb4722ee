import { TurnkeyAuthError } from "../errors.js";
import type { TurnkeyFlowsClient } from "./client.js";
import { TurnkeyFlowError } from "./errors.js";
import { TimeoutError, turnkeyCodeOf, withTimeout } from "./turnkey-call.js";

// What the lookups through the parent organization's API key (subOrganizationsOf,
// sessionKeyIsActive) share: how Turnkey's refusals are read, and the confirmation of that key.

/**
 * Turnkey's refusals (gRPC codes) that settle a lookup "no" whatever our key: invalid argument (a
 * malformed id), not found (no such organization or user), failed precondition.
 */
export const DENIAL_CODES: ReadonlySet<number> = new Set([3, 5, 9]);

/**
 * Refusals that mean either "not one of yours" or "your API key is refused": Turnkey answers
 * unauthenticated both for a key not found in the organization or its parent (another customer's
 * organization) and for a key it does not know at all (wrong, deleted, expired); permission denied
 * likewise. docs.turnkey.com/developer-reference/api-overview/errors. Settled by {@link ParentKeyConfirmation}.
 */
export const AMBIGUOUS_CODES: ReadonlySet<number> = new Set([7, 16]);

/**
 * The options every lookup through the parent organization's API key takes.
 *
 * @example
 * ```ts
 * const options: ParentKeyLookupOptions = { parentOrganizationId, timeoutMs: 2000, onUnavailable: (error) => log.warn(error) };
 * ```
 */
export interface ParentKeyLookupOptions {
  /** Your (parent) Turnkey organization. */
  parentOrganizationId: string;
  /** How long one Turnkey lookup may take, in ms, before the check fails as `unavailable`. Default 3000. */
  timeoutMs?: number;
  /** The clock for the TTLs, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Called with the underlying error (network failure, timeout, Turnkey's 5xx, an unusable answer; a
   * `TurnkeyFlowError` with code `upstream_auth_failed` when Turnkey refuses the parent's API key)
   * whenever a lookup fails as `unavailable`: log it. The request is answered 503, never granted; the
   * thrown `TurnkeyAuthError` carries no `cause`, so adapters answer it as an ordinary 503 instead of
   * treating it as a bug.
   */
  onUnavailable?: (error: unknown, organizationId: string) => void;
}

// How long a confirmation that Turnkey accepts the parent's API key is relied on.
const CONFIRMED_FOR_MS = 10_000;

/** A whole number of milliseconds option in [min, max], else a `TypeError` naming it. */
export function wholeMs(value: unknown, owner: string, option: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${owner}: option "${option}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * The 503 of a lookup that could not be completed. No `cause`: for the adapters an unavailable error
 * with a foreign cause is a bug to forward, while this is an expected outage to answer with 503; the
 * `onUnavailable` hook gets the cause instead.
 */
export function lookupUnavailable(cause: unknown, check: string): TurnkeyAuthError {
  return new TurnkeyAuthError(
    "unavailable",
    cause instanceof TimeoutError ? `The ${check} could not be completed: Turnkey did not answer in time` : `The ${check} could not be completed: Turnkey is unavailable`,
  );
}

/**
 * Whether Turnkey accepts the parent organization's API key, asked with `getWhoami` on the parent
 * itself: one call at a time, relied on for 10 s.
 */
export interface ParentKeyConfirmation {
  /** Resolves if Turnkey accepts the key; rejects with the reason (`upstream_auth_failed` when Turnkey refuses it). */
  confirm(): Promise<void>;
  /** Records that Turnkey just accepted the key (another call through it succeeded). */
  accepted(): void;
  /** Forgets the last confirmation. */
  reset(): void;
}

/** See {@link ParentKeyConfirmation}. */
export function parentKeyConfirmation(
  client: Pick<TurnkeyFlowsClient, "getWhoami">,
  parentOrganizationId: string,
  timeoutMs: number,
  now: () => number,
): ParentKeyConfirmation {
  let confirmedUntil = -Infinity;
  let confirming: Promise<void> | undefined;
  return {
    confirm() {
      if (confirmedUntil > now()) return Promise.resolve();
      confirming ??= withTimeout(Promise.resolve().then(() => client.getWhoami({ organizationId: parentOrganizationId })), timeoutMs, "getWhoami")
        .then(
          (answer) => {
            if (answer?.organizationId !== parentOrganizationId) throw new Error("Turnkey's getWhoami answer does not describe the parent organization");
            confirmedUntil = now() + CONFIRMED_FOR_MS;
          },
          (error: unknown) => {
            const code = turnkeyCodeOf(error);
            // A refusal about the parent organization itself is a refusal of our key (or of the
            // configured parent id); anything else (network, timeout, 5xx, rate limit) an outage.
            if (code === undefined || !(AMBIGUOUS_CODES.has(code) || DENIAL_CODES.has(code))) throw error;
            throw new TurnkeyFlowError("upstream_auth_failed", "Turnkey refused the parent organization's API key (getWhoami on the parent organization)", { cause: error, turnkeyCode: code });
          },
        )
        .finally(() => {
          confirming = undefined;
        });
      return confirming;
    },
    accepted() {
      confirmedUntil = now() + CONFIRMED_FOR_MS;
    },
    reset() {
      confirmedUntil = -Infinity;
    },
  };
}

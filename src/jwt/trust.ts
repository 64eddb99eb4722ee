import { TurnkeyAuthError, isTurnkeyAuthError } from "../errors.js";
import { isThenable } from "../promises.js";
import type { TurnkeySession } from "./claims.js";

/**
 * Which organizations' sessions this app accepts. Every Turnkey customer's sessions are signed by
 * the same notarizer key, so a valid signature proves only that Turnkey issued the session, not
 * that it belongs to your organization: this option is required.
 *
 * - a list of organization ids (your parent org and/or known sub-orgs), copied when the verifier
 *   is created;
 * - a function, e.g. `subOrganizationsOf` from `turnkey-session-auth/flows` ("is this one of my
 *   sub-orgs?"), answering `true` to trust, synchronously or with a promise;
 * - `"any"`: every Turnkey organization, for apps that authorize by other means.
 *
 * Trust is judged on every verification, cache hits included, so a function can revoke at once.
 *
 * @example
 * ```ts
 * const trusted: TrustedOrganizations = (organizationId) => db.organizations.exists(organizationId);
 * ```
 */
export type TrustedOrganizations =
  | readonly string[]
  | ((organizationId: string, session: TurnkeySession) => boolean | PromiseLike<boolean>)
  | "any";

/** Whether a verified session's organization is trusted; throws or rejects `unavailable` when that cannot be told. */
export type TrustRule = (session: TurnkeySession) => boolean | Promise<boolean>;

/**
 * The one trust rule for every form of {@link TrustedOrganizations}. A function that throws,
 * rejects or answers anything but `true` never grants: a throw or rejection is `unavailable`
 * (503), a `TurnkeyAuthError` it throws is passed on as it is.
 *
 * @example
 * ```ts
 * const trusts = trustRule(["org-1"]);
 * trusts(session); // true or false
 * ```
 */
export function trustRule(trusted: TrustedOrganizations): TrustRule {
  if (trusted === "any") return () => true;
  if (typeof trusted !== "function") {
    const ids = new Set(trusted);
    return (session) => ids.has(session.organizationId);
  }
  return (session) => {
    let verdict: unknown;
    try {
      verdict = trusted(session.organizationId, session);
    } catch (error) {
      throw unavailable(error);
    }
    if (!isThenable(verdict)) return verdict === true;
    return Promise.resolve(verdict).then(
      (answer) => answer === true,
      (error: unknown) => {
        throw unavailable(error);
      },
    );
  };
}

function unavailable(cause: unknown): TurnkeyAuthError {
  if (isTurnkeyAuthError(cause)) return cause;
  return new TurnkeyAuthError("unavailable", "The organization trust check could not be completed", { cause, unexpected: true });
}

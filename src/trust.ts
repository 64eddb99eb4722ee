import { isThenable } from "./promises.js";
import { TurnkeyAuthError, isTurnkeyAuthError } from "./errors.js";
import type { TurnkeySession } from "./session.js";

/**
 * Which organizations' sessions this app accepts. Every Turnkey customer's sessions are signed by
 * the same notarizer key, so a valid signature proves only that Turnkey issued the session, not
 * that it belongs to your organization: this option is required.
 *
 * - a list of organization ids (your parent org and/or known sub-orgs);
 * - a function, e.g. {@link subOrganizationsOf}-style lookups ("is this one of my sub-orgs?");
 * - `"any"`: every Turnkey organization, for apps that authorize by other means.
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

/** Resolves trust for one session: `undefined` when trusted, or a promise of that. Throws otherwise. */
export type TrustCheck = (session: TurnkeySession) => void | Promise<void>;

function untrusted(): TurnkeyAuthError {
  return new TurnkeyAuthError("untrusted_organization", "The session's organization is not trusted by this service");
}

function unavailable(cause: unknown): TurnkeyAuthError {
  if (isTurnkeyAuthError(cause)) return cause;
  return new TurnkeyAuthError("unavailable", "The organization trust check could not be completed", { cause });
}

const trustEveryone: TrustCheck = () => undefined;

/**
 * Turns a validated {@link TrustedOrganizations} value into a check. A resolver that throws,
 * rejects or answers anything but `true` never grants (fail closed).
 *
 * @example
 * ```ts
 * const check = createTrustCheck(["org-1"]);
 * check(session); // throws TurnkeyAuthError("untrusted_organization") for other orgs
 * ```
 */
export function createTrustCheck(trusted: TrustedOrganizations): TrustCheck {
  if (trusted === "any") return trustEveryone;
  if (typeof trusted === "function") {
    // A resolver answering from its own cache (as subOrganizationsOf does) answers synchronously:
    // then so does the check, and a cached session costs no promise.
    return (session) => {
      let verdict: unknown;
      try {
        verdict = trusted(session.organizationId, session);
      } catch (error) {
        throw unavailable(error);
      }
      if (!isThenable(verdict)) {
        if (verdict !== true) throw untrusted();
        return undefined;
      }
      return Promise.resolve(verdict).then(
        (settled) => {
          if (settled !== true) throw untrusted();
        },
        (error: unknown) => {
          throw unavailable(error);
        },
      );
    };
  }
  const ids = new Set(trusted);
  return (session) => {
    if (!ids.has(session.organizationId)) throw untrusted();
  };
}

import { isThenable } from "../promises.js";
import { TurnkeyAuthError, isTurnkeyAuthError } from "../errors.js";
import type { TurnkeySession } from "./claims.js";

/**
 * Which organizations' sessions this app accepts. Every Turnkey customer's sessions are signed by
 * the same notarizer key, so a valid signature proves only that Turnkey issued the session, not
 * that it belongs to your organization: this option is required.
 *
 * - a list of organization ids (your parent org and/or known sub-orgs);
 * - a function, e.g. {@link subOrganizationsOf}-style lookups ("is this one of my sub-orgs?");
 * - `"any"`: every Turnkey organization, for apps that authorize by other means.
 *
 * A list is copied when the verifier is created and judges each token once, before its session is
 * cached; a function is asked on every call, cache hits included, so it can revoke at once.
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

/** The refusal for a session of an organization this service does not trust. */
export function untrusted(): TurnkeyAuthError {
  return new TurnkeyAuthError("untrusted_organization", "The session's organization is not trusted by this service");
}

function unavailable(cause: unknown): TurnkeyAuthError {
  if (isTurnkeyAuthError(cause)) return cause;
  return new TurnkeyAuthError("unavailable", "The organization trust check could not be completed", { cause });
}

/**
 * For a list of organizations or `"any"`, the verdict on an organization, which cannot change for
 * the verifier's life (the list is copied at construction): the verifier then judges each token
 * once, when it first verifies it, instead of on every request. `undefined` for a resolver
 * function, which {@link createResolverCheck} asks on every call, cache hit or not.
 *
 * @example
 * ```ts
 * fixedTrust(["org-1"])?.("org-2"); // false
 * fixedTrust(() => true); // undefined: ask the resolver every time
 * ```
 */
export function fixedTrust(trusted: TrustedOrganizations): ((organizationId: string) => boolean) | undefined {
  if (trusted === "any") return () => true;
  if (typeof trusted === "function") return undefined;
  const ids = new Set(trusted);
  return (organizationId) => ids.has(organizationId);
}

type TrustResolver = Extract<TrustedOrganizations, (...args: never[]) => unknown>;

/**
 * Turns a trust resolver into a check. A resolver that throws, rejects or answers anything but
 * `true` never grants (fail closed). One answering from its own cache (as subOrganizationsOf
 * does) answers synchronously: then so does the check, and a cached session costs no promise.
 *
 * @example
 * ```ts
 * const check = createResolverCheck((organizationId) => myOrganizations.has(organizationId));
 * check(session); // throws TurnkeyAuthError("untrusted_organization") for other orgs
 * ```
 */
export function createResolverCheck(resolver: TrustResolver): TrustCheck {
  return (session) => {
    let verdict: unknown;
    try {
      verdict = resolver(session.organizationId, session);
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

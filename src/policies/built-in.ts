import { TurnkeyAuthError } from "../errors.js";
import type { RequestLike } from "../request.js";
import type { BuiltInSessionType } from "../jwt/claims.js";
import { definePolicy, type Policy } from "./policy.js";

function nonEmptyIds(ids: string | readonly string[], policy: string, option: string): ReadonlySet<string> {
  const list = typeof ids === "string" ? [ids] : ids;
  if (!Array.isArray(list) || list.length === 0 || !list.every((id) => typeof id === "string" && id.length > 0)) {
    throw new TypeError(`${policy}: ${option} must be a non-empty id or list of non-empty ids`);
  }
  return new Set(list);
}

/**
 * Grants when the session's organization is one of `ids`, or equals the id `ids(request)` names.
 *
 * @example
 * ```ts
 * requireOrganization(["org-a", "org-b"]);
 * requireOrganization((request) => request.headers["x-tenant"] as string);
 * ```
 */
export function requireOrganization(ids: string | readonly string[] | ((request: RequestLike) => string | undefined)): Policy {
  if (typeof ids === "function") {
    return definePolicy("requireOrganization", ({ session, request }) => {
      const expected = ids(request);
      return typeof expected === "string" && expected.length > 0 && expected === session.organizationId;
    });
  }
  const allowed = nonEmptyIds(ids, "requireOrganization", "ids");
  return definePolicy("requireOrganization", ({ session }) => allowed.has(session.organizationId));
}

/**
 * Grants when the route parameter `name` equals the session's organization: the usual "only
 * your own sub-organization" rule for routes like `/orgs/:orgId/…`. A route without that
 * parameter (a typo, or a middleware mounted without the path) denies every request, with a
 * message naming the missing parameter.
 *
 * @example
 * ```ts
 * app.get("/orgs/:orgId/wallets", turnkeyAuth({ ...options, policies: [organizationFromParam("orgId")] }), handler);
 * ```
 */
export function organizationFromParam(name: string): Policy {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("organizationFromParam: name must be a non-empty string");
  const policy = `organizationFromParam(${name})`;
  return definePolicy(policy, ({ session, request }) => {
    const value = request.params[name];
    if (value === undefined) {
      // Still a denial (fail closed), told apart from a wrong organization: this is the route's mistake.
      const problem = `the route has no parameter "${name}" (check its path, and that this middleware is on the route, not app-wide)`;
      throw new TurnkeyAuthError("forbidden", `Access denied by policy "${policy}": ${problem}`, { policy });
    }
    return typeof value === "string" && value === session.organizationId;
  });
}

/**
 * Grants when the session's user is one of `ids`.
 *
 * @example
 * ```ts
 * requireUser([process.env.ADMIN_USER_ID!]);
 * ```
 */
export function requireUser(ids: string | readonly string[]): Policy {
  const allowed = nonEmptyIds(ids, "requireUser", "ids");
  return definePolicy("requireUser", ({ session }) => allowed.has(session.userId));
}

/**
 * Grants when the session's type is `type` (or one of them): a built-in type or a session
 * profile's name.
 *
 * @example
 * ```ts
 * requireSessionType("trading-profile");
 * ```
 */
export function requireSessionType(type: BuiltInSessionType | (string & {}) | readonly string[]): Policy {
  const allowed = nonEmptyIds(type, "requireSessionType", "type");
  return definePolicy("requireSessionType", ({ session }) => allowed.has(session.sessionType));
}

/**
 * Grants read-write sessions only (`SESSION_TYPE_READ_WRITE`).
 *
 * @example
 * ```ts
 * app.post("/transfers", turnkeyAuth({ ...options, policies: [requireReadWrite()] }), handler);
 * ```
 */
export function requireReadWrite(): Policy {
  return definePolicy("requireReadWrite", ({ session }) => session.sessionType === "SESSION_TYPE_READ_WRITE");
}

/**
 * Grants sessions issued through a session profile whose `scope` (a string of Turnkey's policy
 * language) is exactly `scope`, or one of a list.
 *
 * @example
 * ```ts
 * requireScope("activity.type == 'ACTIVITY_TYPE_SIGN_TRANSACTION_V2'");
 * ```
 */
export function requireScope(scope: string | readonly string[]): Policy {
  const allowed = nonEmptyIds(scope, "requireScope", "scope");
  return definePolicy("requireScope", ({ session }) => session.scope !== undefined && allowed.has(session.scope));
}

import type { RequestLike } from "../request.js";
import type { TurnkeySession } from "../jwt/claims.js";

/**
 * What a policy sees: the verified session and the request.
 * @example `const sameOrg = ({ session, request }: PolicyContext) => request.params.orgId === session.organizationId;`
 */
export interface PolicyContext {
  readonly session: TurnkeySession;
  readonly request: RequestLike;
}

/**
 * An authorization rule: grants with `true`, denies with anything else. A policy that throws or
 * rejects denies too (fail closed). Write it once; every adapter runs it.
 *
 * @example
 * ```ts
 * const ownsDocument: Policy = async ({ session, request }) =>
 *   (await db.documents.ownerOf(request.params.documentId)) === session.userId;
 * ```
 */
export type Policy = ((context: PolicyContext) => boolean | Promise<boolean>) & { readonly policyName?: string };

/**
 * Names a policy, so a denial says which rule failed (in `TurnkeyAuthError.policy` and the
 * error message).
 *
 * @example
 * ```ts
 * const ownsDocument = definePolicy("ownsDocument", async ({ session, request }) =>
 *   (await db.documents.ownerOf(request.params.documentId)) === session.userId);
 * ```
 */
export function definePolicy(name: string, check: (context: PolicyContext) => boolean | Promise<boolean>): Policy {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("definePolicy: name must be a non-empty string");
  if (typeof check !== "function") throw new TypeError(`definePolicy("${name}"): check must be a function`);
  const policy = (context: PolicyContext) => check(context);
  return Object.defineProperty(policy, "policyName", { value: name, enumerable: true });
}

/**
 * The name a policy reports in denials: its `definePolicy` name, else its function name.
 *
 * @example
 * ```ts
 * policyNameOf(requireReadWrite()); // "requireReadWrite"
 * ```
 */
export function policyNameOf(policy: Policy): string {
  return policy.policyName ?? (policy.name || "anonymous policy");
}

/**
 * `value` as a frozen copy of its policies, checked where it is configured (an option, `with()`,
 * Fastify's `authenticate()`), so a mistake throws a `TypeError` before any request.
 *
 * @example
 * ```ts
 * const policies = policyList(options.policies, 'option "policies" must be an array of policy functions');
 * ```
 */
export function policyList(value: unknown, problem: string): readonly Policy[] {
  if (!Array.isArray(value) || !value.every((policy) => typeof policy === "function")) {
    throw new TypeError(`turnkey-session-auth: ${problem}`);
  }
  return Object.freeze([...value]) as readonly Policy[];
}

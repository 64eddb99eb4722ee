import { definePolicy, policyNameOf, type Policy, type PolicyContext } from "./policy.js";

function checkPolicies(policies: readonly Policy[], combinator: string): void {
  if (policies.length === 0 || !policies.every((policy) => typeof policy === "function")) {
    throw new TypeError(`${combinator}: pass at least one policy function`);
  }
}

async function grants(policy: Policy, context: PolicyContext): Promise<boolean> {
  return (await policy(context)) === true;
}

/**
 * Grants when every policy grants (checked in order, stopping at the first denial).
 *
 * @example
 * ```ts
 * allOf(requireReadWrite(), organizationFromParam("orgId"));
 * ```
 */
export function allOf(...policies: Policy[]): Policy {
  checkPolicies(policies, "allOf");
  return definePolicy(`allOf(${policies.map(policyNameOf).join(", ")})`, async (context) => {
    for (const policy of policies) if (!(await grants(policy, context))) return false;
    return true;
  });
}

/**
 * Grants when at least one policy grants. A policy that throws still fails the whole check
 * (fail closed): an error is not a denial to skip past.
 *
 * @example
 * ```ts
 * anyOf(requireUser([adminId]), organizationFromParam("orgId"));
 * ```
 */
export function anyOf(...policies: Policy[]): Policy {
  checkPolicies(policies, "anyOf");
  return definePolicy(`anyOf(${policies.map(policyNameOf).join(", ")})`, async (context) => {
    for (const policy of policies) if (await grants(policy, context)) return true;
    return false;
  });
}

/**
 * Grants when `policy` denies. A policy that throws still fails (fail closed): an error is never
 * turned into a grant.
 *
 * @example
 * ```ts
 * not(requireSessionType("SESSION_TYPE_READ_ONLY"));
 * ```
 */
export function not(policy: Policy): Policy {
  checkPolicies([policy], "not");
  return definePolicy(`not(${policyNameOf(policy)})`, async (context) => !(await grants(policy, context)));
}

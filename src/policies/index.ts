export { definePolicy, policyNameOf } from "./policy.js";
export type { Policy, PolicyContext } from "./policy.js";
export { organizationFromParam, requireOrganization, requireReadWrite, requireScope, requireSessionType, requireUser } from "./built-in.js";
export { allOf, anyOf, not } from "./combinators.js";
export { runPolicies } from "./run-policies.js";

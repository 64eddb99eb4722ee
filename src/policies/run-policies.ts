import { TurnkeyAuthError, isTurnkeyAuthError } from "../errors.js";
import { isThenable, settleWithin } from "../promises.js";
import { policyNameOf, type Policy, type PolicyContext } from "./policy.js";

function denied(policy: Policy): TurnkeyAuthError {
  const name = policyNameOf(policy);
  return new TurnkeyAuthError("forbidden", `Access denied by policy "${name}"`, { policy: name });
}

function failed(policy: Policy, cause: unknown): TurnkeyAuthError {
  if (isTurnkeyAuthError(cause)) return cause;
  const name = policyNameOf(policy);
  return new TurnkeyAuthError("unavailable", `Policy "${name}" could not be evaluated`, { cause, policy: name, unexpected: true });
}

function timedOut(policy: Policy, timeoutMs: number): TurnkeyAuthError {
  const name = policyNameOf(policy);
  return new TurnkeyAuthError("unavailable", `Policy "${name}" did not answer within ${timeoutMs} ms`, { policy: name });
}

function settlePolicy(policy: Policy, pending: PromiseLike<unknown>, timeoutMs: number): Promise<unknown> {
  return settleWithin(pending, timeoutMs, () => timedOut(policy, timeoutMs)).catch((error: unknown) => {
    throw failed(policy, error);
  });
}

/**
 * Runs policies in order and settles when all grant; otherwise throws (or rejects with)
 * `TurnkeyAuthError`: `forbidden` for a denial, `unavailable` for a policy that threw, rejected or
 * did not settle within `timeoutMs` (fail closed). Synchronous policies cost no promise.
 *
 * @example
 * ```ts
 * await runPolicies([requireReadWrite()], { session, request }, 5000);
 * ```
 */
export function runPolicies(
  policies: readonly Policy[],
  context: PolicyContext,
  timeoutMs: number,
  startAt = 0,
): void | Promise<void> {
  for (let index = startAt; index < policies.length; index++) {
    const policy = policies[index] as Policy;
    let verdict: unknown;
    try {
      verdict = policy(context);
    } catch (error) {
      throw failed(policy, error);
    }
    if (isThenable(verdict)) {
      return settlePolicy(policy, verdict, timeoutMs).then((settled) => {
        if (settled !== true) throw denied(policy);
        return runPolicies(policies, context, timeoutMs, index + 1);
      });
    }
    if (verdict !== true) throw denied(policy);
  }
}

import { policyList, type Policy } from "./policies/policy.js";
import type { TurnkeySession } from "./session.js";

/**
 * What an adapter's `with(...policies)` needs: the sessions this adapter instance verified, per
 * request, so a route's policies reuse the session instead of verifying twice. Only this
 * instance's: another instance may trust more organizations or run fewer policies. Sessions are
 * recorded once a `with()` exists (in practice, from start-up): a store per request is not free,
 * and a route built later simply authenticates itself.
 *
 * @example
 * ```ts
 * const routeSessions = createRouteSessions<Request>();
 * routeSessions.remember(req, session); // after authenticating
 * const extra = routeSessions.policiesForRoute(policies); // in with()
 * authenticator.authenticate(view, req, extra, routeSessions.recall(req));
 * ```
 */
export interface RouteSessions<Key extends object> {
  remember(request: Key, session: TurnkeySession): void;
  recall(request: Key): TurnkeySession | undefined;
  /** Checks `with()`'s arguments (a `TypeError` at route definition) and starts recording. */
  policiesForRoute(policies: readonly unknown[]): readonly Policy[];
}

/**
 * Creates the {@link RouteSessions} of one adapter instance.
 *
 * @example
 * ```ts
 * const routeSessions = createRouteSessions<Context>();
 * ```
 */
export function createRouteSessions<Key extends object>(): RouteSessions<Key> {
  // A property under a symbol only this instance holds, rather than a WeakMap keyed by request:
  // a WeakMap entry per request costs an ephemeron-table insert and garbage-collector work (~4%
  // of Koa's warm throughput, bench/RESULTS.md); a property store on the request costs neither.
  const verifiedBy = Symbol("turnkey-session-auth: verified by this middleware");
  let recording = false;
  return {
    remember(request, session) {
      if (recording) (request as Record<symbol, TurnkeySession | undefined>)[verifiedBy] = session;
    },
    recall: (request) => (request as Record<symbol, TurnkeySession | undefined>)[verifiedBy],
    policiesForRoute(policies) {
      const checked = policyList(policies, "with() takes policy functions");
      recording = true;
      return checked;
    },
  };
}

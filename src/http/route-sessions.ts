import { policyList, type Policy } from "../policies/policy.js";
import type { TurnkeySession } from "../jwt/claims.js";

/**
 * What an adapter's `with(...policies)` needs: the sessions this adapter instance verified, per
 * request, so a route's policies reuse the session instead of verifying twice. Only this
 * instance's: another instance may trust more organizations or run fewer policies. Sessions are
 * recorded once a `with()` exists (in practice, from start-up): a store per request is not free,
 * and a route built later simply authenticates itself.
 *
 * The record goes on the request object itself, or on `holder`, another object of the request's
 * that is cheaper to extend (Express: `res.locals`, as Express gives every `req` a hidden class of
 * its own). A holder's record names its request, so a holder shared between requests (an app may
 * assign `res.locals` itself) never hands one request's session to another.
 *
 * @example
 * ```ts
 * const routeSessions = createRouteSessions<Request>();
 * routeSessions.remember(req, session, res.locals); // after authenticating
 * const extra = routeSessions.policiesForRoute(policies); // in with()
 * authenticator.authenticate(view, req, extra, routeSessions.recall(req, res.locals));
 * ```
 */
export interface RouteSessions<Key extends object> {
  remember(request: Key, session: TurnkeySession, holder?: object): void;
  recall(request: Key, holder?: object): TurnkeySession | undefined;
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
  type Records = Record<symbol, TurnkeySession | HeldRecord | undefined>;
  return {
    remember(request, session, holder) {
      if (!recording) return;
      if (holder === undefined) (request as Records)[verifiedBy] = session;
      else (holder as Records)[verifiedBy] = { request, session };
    },
    recall(request, holder) {
      if (holder === undefined) return (request as Records)[verifiedBy] as TurnkeySession | undefined;
      const record = (holder as Records)[verifiedBy] as HeldRecord | undefined;
      return record?.request === request ? record.session : undefined;
    },
    policiesForRoute(policies) {
      const checked = policyList(policies, "with() takes policy functions");
      recording = true;
      return checked;
    },
  };
}

interface HeldRecord {
  readonly request: object;
  readonly session: TurnkeySession;
}

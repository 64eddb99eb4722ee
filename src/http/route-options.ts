import type { DpopMode } from "../dpop/options.js";
import { policyList, type Policy } from "../policies/policy.js";

/**
 * What one route adds to the middleware's options, the same in every adapter: Express, Koa and
 * Hono `auth.with(options?, ...policies)`, Fastify `app.turnkey.authenticate(policies | options)`.
 *
 * @example
 * ```ts
 * app.get("/feed", auth.with({ optional: true }), feed);
 * app.get("/orgs/:orgId", auth.with({ policies: [organizationFromParam("orgId")] }), org);
 * app.post("/transfers", auth.with({ dpop: "required" }, requireReadWrite()), transfer);
 * ```
 */
export interface RouteOptions {
  /** Policies run after the middleware's own (and before any given after the options). */
  readonly policies?: readonly Policy[];
  /**
   * Let a request without a token through with no session (a present but invalid token still
   * fails). Default: the middleware's `optional` when the route adds no policies, else `false`,
   * since a route's policies judge a session.
   */
  readonly optional?: boolean;
  /** The route's DPoP mode (RFC 9449), instead of the app-wide `dpop`; needs `dpopOptions`. */
  readonly dpop?: DpopMode;
}

/** {@link RouteOptions} after validation. */
export interface RouteRequirements {
  readonly policies: readonly Policy[];
  readonly optional: boolean | undefined;
  readonly dpop?: DpopMode | undefined;
}

const DPOP_MODES: readonly unknown[] = ["required", "optional"];

/**
 * Reads what a route asks for: policy functions (`with(p1, p2)`), or one {@link RouteOptions}
 * object followed by any more policy functions; a bad value throws a `TypeError` naming `where`,
 * when the route is made.
 *
 * @example
 * ```ts
 * with: (...args: (Policy | RouteOptions)[]) => middleware(routeRequirements(args, "with()")),
 * ```
 */
export function routeRequirements(args: readonly unknown[], where: string): RouteRequirements {
  const [first, ...rest] = args;
  if (typeof first !== "object" || first === null || Array.isArray(first)) {
    return { policies: policyList(args, `${where} takes policy functions, or { optional, policies, dpop } then policy functions`), optional: undefined, dpop: undefined };
  }
  const { policies, optional, dpop } = first as RouteOptions;
  if (optional !== undefined && typeof optional !== "boolean") throw new TypeError(`turnkey-session-auth: ${where} option "optional" must be a boolean`);
  if (dpop !== undefined && !DPOP_MODES.includes(dpop)) throw new TypeError(`turnkey-session-auth: ${where} option "dpop" must be "required" or "optional"`);
  const own = policies === undefined ? [] : policyList(policies, `${where} option "policies" must be an array of policy functions`);
  const more = policyList(rest, `${where} takes policy functions after its options`);
  return { policies: own.length === 0 ? more : more.length === 0 ? own : [...own, ...more], optional, dpop };
}

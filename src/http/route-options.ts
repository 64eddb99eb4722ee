import { policyList, type Policy } from "../policies/policy.js";

/**
 * What one route adds to the middleware's options, the same in every adapter: Express, Koa and
 * Hono `auth.with({ optional, policies })`, Fastify `app.turnkey.authenticate({ optional, policies })`.
 *
 * @example
 * ```ts
 * app.get("/feed", auth.with({ optional: true }), feed);
 * app.get("/orgs/:orgId", auth.with({ policies: [organizationFromParam("orgId")] }), org);
 * ```
 */
export interface RouteOptions {
  /** Policies run after the middleware's own. */
  readonly policies?: readonly Policy[];
  /**
   * Let a request without a token through with no session (a present but invalid token still
   * fails). Default: the middleware's `optional` when the route adds no policies, else `false`,
   * since a route's policies judge a session.
   */
  readonly optional?: boolean;
}

/** {@link RouteOptions} after validation. */
export interface RouteRequirements {
  readonly policies: readonly Policy[];
  readonly optional: boolean | undefined;
}

/**
 * Reads what a route asks for, given as policy functions (`with(p1, p2)`) or as one
 * {@link RouteOptions} object; a bad value throws a `TypeError` naming `where`, when the route is made.
 *
 * @example
 * ```ts
 * with: (...args: (Policy | RouteOptions)[]) => middleware(routeRequirements(args, "with()")),
 * ```
 */
export function routeRequirements(args: readonly unknown[], where: string): RouteRequirements {
  const [first] = args;
  if (args.length === 1 && typeof first === "object" && first !== null && !Array.isArray(first)) {
    const { policies, optional } = first as RouteOptions;
    if (optional !== undefined && typeof optional !== "boolean") throw new TypeError(`turnkey-session-auth: ${where} option "optional" must be a boolean`);
    const list = policies === undefined ? [] : policyList(policies, `${where} option "policies" must be an array of policy functions`);
    return { policies: list, optional };
  }
  return { policies: policyList(args, `${where} takes policy functions or { optional, policies }`), optional: undefined };
}

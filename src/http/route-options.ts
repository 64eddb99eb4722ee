import type { DpopMode } from "../dpop/options.js";
import { policyList, type Policy } from "../policies/policy.js";

/**
 * What one route asks beyond its policies: `dpop` raises (or sets) the app-wide DPoP mode there.
 * @example `app.post("/transfers", auth.with({ dpop: "required" }, requireReadWrite()), transfer);`
 */
export interface RouteOptions {
  dpop?: DpopMode;
}

/** A route's validated policies and options. */
export interface RouteArguments {
  readonly policies: readonly Policy[];
  readonly options: RouteOptions | undefined;
}

const DPOP_MODES: readonly unknown[] = ["required", "optional"];

/**
 * Validates route options: a bad value throws a `TypeError` naming it, when the route is declared.
 *
 * @example
 * ```ts
 * const options = routeOptions({ dpop: "required" });
 * ```
 */
export function routeOptions(options: unknown): RouteOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new TypeError("turnkey-session-auth: route options must be an object");
  const { dpop } = options as { dpop?: unknown };
  if (dpop !== undefined && !DPOP_MODES.includes(dpop)) throw new TypeError('turnkey-session-auth: route option "dpop" must be "required" or "optional"');
  return dpop === undefined ? {} : { dpop: dpop as DpopMode };
}

/**
 * Reads `with(...)`'s arguments: an optional {@link RouteOptions} object first, then policy functions.
 *
 * @example
 * ```ts
 * const { policies, options } = routeArguments([{ dpop: "required" }, requireReadWrite()], "with() takes policy functions");
 * ```
 */
export function routeArguments(args: readonly unknown[], message: string): RouteArguments {
  const first = args[0];
  if (typeof first === "object" && first !== null && !Array.isArray(first)) {
    return { policies: policyList(args.slice(1), message), options: routeOptions(first) };
  }
  return { policies: policyList(args, message), options: undefined };
}

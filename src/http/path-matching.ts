/**
 * How a router compares request paths, so that policies compare them the same way. Each adapter
 * knows its framework's defaults; the adapter option `pathMatching` overrides them.
 *
 * @example
 * ```ts
 * const koaRouterDefaults: PathMatching = { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false };
 * ```
 */
export interface PathMatching {
  /** `/Admin` and `/admin` are different paths. When `false`, the path is lower-cased. */
  readonly caseSensitive: boolean;
  /** `/admin/` and `/admin` are different paths. When `false`, one trailing slash is removed. */
  readonly strict: boolean;
  /** `//admin` is `/admin`. When `false`, a path with an empty segment is refused instead. */
  readonly mergeSlashes: boolean;
  /** `;` ends the path as `?` does (find-my-way's `useSemicolonDelimiter`). */
  readonly semicolonEndsPath: boolean;
}

const MATCHING_KEYS: readonly (keyof PathMatching)[] = ["caseSensitive", "strict", "mergeSlashes", "semicolonEndsPath"];

/**
 * An adapter's `pathMatching` option merged over its framework's defaults, checked at construction
 * (a `TypeError` naming the option).
 *
 * @example
 * ```ts
 * const matching = resolvePathMatching(options.pathMatching, KOA_ROUTER_DEFAULTS);
 * ```
 */
export function resolvePathMatching(option: unknown, defaults: PathMatching): PathMatching {
  if (option === undefined) return defaults;
  if (typeof option !== "object" || option === null) {
    throw new TypeError('turnkey-session-auth: option "pathMatching" must be an object of booleans');
  }
  for (const [key, value] of Object.entries(option)) {
    if (!MATCHING_KEYS.includes(key as keyof PathMatching) || typeof value !== "boolean") {
      throw new TypeError(`turnkey-session-auth: option "pathMatching" takes only booleans ${MATCHING_KEYS.join(", ")}; got "${key}"`);
    }
  }
  return Object.freeze({ ...defaults, ...(option as Partial<PathMatching>) });
}

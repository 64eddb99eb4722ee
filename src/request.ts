// The framework-free request: what policies and token extraction read.

/**
 * Request headers as the frameworks hand them over: a Fetch `Headers` (Hono, Workers) or Node's
 * `IncomingHttpHeaders` object with lower-case names (Express, Fastify, Koa).
 * @example `const headers: HeadersLike = new Headers({ authorization: "Bearer eyJ…" });`
 */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The framework-free view of a request that policies read (and `extractToken`, its headers).
 *
 * @example
 * ```ts
 * const request: RequestLike = {
 *   method: "GET",
 *   path: "/orgs/abc/wallets",
 *   params: { orgId: "abc" },
 *   query: {},
 *   headers: { authorization: "Bearer eyJ…" },
 * };
 * ```
 */
export interface RequestLike {
  readonly method: string;
  /**
   * The path as the router compares it, for path rules: whole (never relative to a mount point),
   * without the query, percent-decoded, lower-cased where the router ignores case, without the
   * trailing slash where the router ignores it (see `canonicalPolicyPath`).
   */
  readonly path: string;
  /** Route parameters, e.g. `{ orgId: "…" }` for `/orgs/:orgId`. */
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: HeadersLike;
  /**
   * Node's raw header list (`req.rawHeaders`). Node keeps only the first of several
   * `Authorization` headers in `req.headers`; with this, duplicates are detected and refused.
   */
  readonly rawHeaders?: readonly string[] | undefined;
}

/**
 * Reads one header (lower-case `name`) from either kind of {@link HeadersLike}. Several values
 * come back as an array.
 *
 * @example
 * ```ts
 * readHeader(request.headers, "x-request-id"); // "abc" | ["a", "b"] | undefined
 * ```
 */
export function readHeader(headers: HeadersLike, name: string): string | readonly string[] | undefined {
  if (typeof headers.get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  return (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name];
}

/**
 * Request headers as the frameworks hand them over: a Fetch `Headers` (Hono, Workers) or Node's
 * `IncomingHttpHeaders` object with lower-case names (Express, Fastify, Koa).
 */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The framework-free view of a request that token extraction and policies read. Each adapter
 * builds one from its framework's request.
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
  readonly path: string;
  /** Route parameters, e.g. `{ orgId: "…" }` for `/orgs/:orgId`. */
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: HeadersLike;
  /**
   * Node's raw header list (`req.rawHeaders`). Node keeps only the first of several
   * `Authorization` headers in `req.headers`; with this, duplicates are detected and refused.
   */
  readonly rawHeaders?: readonly string[];
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

/**
 * The path policies should see for a request target (`/orgs/org-%32/x?y` → `/orgs/org-2/x`): the
 * full path (never relative to a mount point), percent-decoded as Hono does, so an encoded spelling
 * cannot slip past a path rule that the router still matches. `%2F` and `%3F` stay encoded
 * (`decodeURI` keeps reserved characters), and an undecodable path is returned as is.
 *
 * @example
 * ```ts
 * policyPath(req.originalUrl); // "/admin/users" for "/ad%6Din/users?x=1"
 * ```
 */
export function policyPath(target: string): string {
  const end = target.indexOf("?");
  let path = end < 0 ? target : target.slice(0, end);
  if (!path.startsWith("/")) {
    try {
      path = new URL(path).pathname; // absolute-form request target (RFC 9112 §3.2.2)
    } catch {
      return path;
    }
  }
  if (!path.includes("%")) return path;
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

import type { TurnkeyAuthError } from "../errors.js";
import type { AuthOptions } from "../http/adapter-options.js";
import { createAuthenticator, type AuthResult, type Authenticator } from "../http/authenticate.js";
import type { RequestReader } from "../http/request-reader.js";
import type { TurnkeySession } from "../jwt/claims.js";
import { policyList, type Policy } from "../policies/policy.js";

/**
 * Shared adapter options, plus `onError` to build the refusal response (forwarded ones skip it).
 * Define them once, at module scope: the same object reuses one verifier (its key and cache).
 * @example
 * ```ts
 * const auth: FetchTurnkeyAuthOptions = { trustedOrganizations: ["org-id"], onError: (error) => Response.json({ code: error.code }, { status: error.status }) };
 * ```
 */
export type FetchTurnkeyAuthOptions = AuthOptions<Request> & {
  onError?: (error: TurnkeyAuthError, request: Request) => Response | Promise<Response>;
};

/**
 * What one route adds: its own policies, run after `options.policies`, and its parameters (a fetch
 * handler has no router: pass them for policies such as `organizationFromParam`).
 * @example `await authenticateRequest(request, auth, { params: { orgId }, policies: [organizationFromParam("orgId")] })`
 */
export interface FetchRoute {
  readonly policies?: readonly Policy[];
  readonly params?: Readonly<Record<string, string | undefined>>;
}

/** A route handler that gets the verified session after the request. */
export type SessionHandler<R extends Request, S, A extends unknown[]> = (request: R, session: S, ...rest: A) => Response | Promise<Response>;

// Per request, the route's parameters given to authenticateRequest (the Request cannot carry them).
const routeParams = new WeakMap<Request, Readonly<Record<string, string | undefined>>>();
const NO_PARAMS: Readonly<Record<string, string | undefined>> = Object.freeze({});

// Fetch API only, so it runs on every runtime that has `Request` (Workers, Deno, Bun, Next.js, Node).
const FETCH: RequestReader<Request> = {
  // A fetch handler has no router of its own: paths compare exactly as written.
  pathMatching: { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false },
  method: (request) => request.method,
  target: (request) => request.url,
  headers: (request) => request.headers,
  params: (request) => routeParams.get(request) ?? NO_PARAMS,
  // The first value of each name, as Hono's c.req.query() gives it.
  query: (request) => {
    const query: Record<string, string> = {};
    for (const [name, value] of new URL(request.url).searchParams) if (!(name in query)) query[name] = value;
    return query;
  },
  holder: (request) => request,
};

// One authenticator per options object: its verifier imports the key once and keeps one cache.
const authenticators = new WeakMap<FetchTurnkeyAuthOptions, Authenticator<Request>>();

function authenticatorFor(options: FetchTurnkeyAuthOptions): Authenticator<Request> {
  let authenticator = typeof options === "object" && options !== null ? authenticators.get(options) : undefined;
  if (authenticator === undefined) {
    authenticator = createAuthenticator(options, FETCH);
    authenticators.set(options, authenticator);
  }
  return authenticator;
}

function routeOf(route: FetchRoute | undefined): readonly Policy[] | undefined {
  if (route === undefined) return undefined;
  if (typeof route !== "object" || route === null) throw new TypeError("turnkey-session-auth: the route must be an object { policies?, params? }");
  return route.policies === undefined ? undefined : policyList(route.policies, "route policies must be policy functions");
}

// The refusal as the other adapters answer it: status, challenge and `{ error, message }`.
function answer({ session, failure }: AuthResult, request: Request, onError: FetchTurnkeyAuthOptions["onError"]) {
  if (failure === undefined) return session;
  if (failure.forward) throw failure.error;
  if (onError !== undefined) return onError(failure.error, request);
  return new Response(JSON.stringify(failure.body), {
    status: failure.status,
    headers: { ...failure.headers, "content-type": "application/json" },
  });
}

/**
 * Authenticates a web `Request`: resolves to its session, `undefined` (an anonymous request that
 * `optional` let in), or a ready `Response` to return (401/403/400/503, RFC 6750 challenge, JSON
 * `{ error, message }`). With `forwardErrors` (or on an unexpected failure) it rejects with the
 * `TurnkeyAuthError` instead, for your own error path. A bad option rejects with a `TypeError`.
 *
 * @example
 * ```ts
 * const auth = { trustedOrganizations: ["org-id"] };
 * export default { async fetch(request: Request) {
 *   const session = await authenticateRequest(request, auth);
 *   if (session instanceof Response) return session;
 *   return Response.json({ userId: session?.userId });
 * } };
 * ```
 */
export async function authenticateRequest(
  request: Request,
  options: FetchTurnkeyAuthOptions,
  route?: FetchRoute,
): Promise<TurnkeySession | undefined | Response> {
  const authenticator = authenticatorFor(options);
  const policies = routeOf(route);
  if (route?.params !== undefined) routeParams.set(request, route.params);
  return answer(await authenticator.authenticate(request, policies), request, options.onError);
}

/**
 * Wraps a route handler: it runs with `(request, session, ...rest)` only for an admitted request;
 * any other gets the refusal `Response`. `policies` are this route's own, and the parameters they
 * read come from the handler's second argument's `params` (Next.js route handlers: awaited).
 * Checks its arguments now: a bad option throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * export const GET = withTurnkeySession((request, session) => Response.json({ userId: session.userId }), auth);
 * ```
 */
export function withTurnkeySession<R extends Request, A extends unknown[]>(
  handler: SessionHandler<R, TurnkeySession, A>,
  options: FetchTurnkeyAuthOptions & { optional?: false },
  ...policies: Policy[]
): (request: R, ...rest: A) => Promise<Response>;
export function withTurnkeySession<R extends Request, A extends unknown[]>(
  handler: SessionHandler<R, TurnkeySession | undefined, A>,
  options: FetchTurnkeyAuthOptions,
  ...policies: Policy[]
): (request: R, ...rest: A) => Promise<Response>;
export function withTurnkeySession<R extends Request, A extends unknown[]>(
  handler: SessionHandler<R, TurnkeySession, A> | SessionHandler<R, TurnkeySession | undefined, A>,
  options: FetchTurnkeyAuthOptions,
  ...policies: Policy[]
): (request: R, ...rest: A) => Promise<Response> {
  if (typeof handler !== "function") throw new TypeError("turnkey-session-auth: withTurnkeySession() takes a handler function");
  authenticatorFor(options);
  const route = policyList(policies, "withTurnkeySession() takes policy functions after the options");
  return async (request, ...rest) => {
    const params = await paramsOf(rest[0]);
    const session = await authenticateRequest(request, options, params === undefined ? { policies: route } : { policies: route, params });
    if (session instanceof Response) return session;
    // An anonymous request reaches the handler only when `optional` is set, as its overload types it.
    return (handler as SessionHandler<R, TurnkeySession | undefined, A>)(request, session, ...rest);
  };
}

// `{ params }` of a route handler's context (a promise since Next.js 15), if it has one of strings.
async function paramsOf(context: unknown): Promise<Record<string, string | undefined> | undefined> {
  if (typeof context !== "object" || context === null || !("params" in context)) return undefined;
  const params: unknown = await (context as { params: unknown }).params;
  if (typeof params !== "object" || params === null) return undefined;
  const strings: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(params)) if (typeof value === "string") strings[name] = value;
  return strings;
}

import type { Context, DefaultContext, DefaultState, Middleware, Next } from "koa";
import type { TurnkeyAuthError } from "../errors.js";
import type { AuthOptions } from "../http/adapter-options.js";
import { createAuthenticator, whenAuthenticated, type AuthResult } from "../http/authenticate.js";
import type { RequestReader } from "../http/request-reader.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { RouteOptions, RouteRequirements } from "../http/route-options.js";
import type { Policy } from "../policies/policy.js";
import { isThenable } from "../promises.js";

declare module "koa" {
  interface DefaultState { /** The verified session (set by `turnkeyAuth`); absent when `optional` let an anonymous request in. */ turnkey?: TurnkeySession }
}

/**
 * The shared adapter options, plus `onError` to answer a refusal yourself. Failures thrown
 * upstream (`forwardErrors`, or a policy that threw) reach your error-handling middleware instead.
 * An `onError` that sets neither a status nor a body (by the time its promise settles) gets the
 * default answer; to only log refusals, use `onRefused`.
 * @example
 * ```ts
 * turnkeyAuth({ trustedOrganizations: ["org-id"], onError: (error, ctx) => { ctx.status = error.status; } });
 * ```
 */
export type KoaTurnkeyAuthOptions = AuthOptions<Context> & { onError?: (error: TurnkeyAuthError, ctx: Context) => unknown };

/**
 * The middleware of {@link turnkeyAuth}. `with(...policies)` adds route policies on top, reusing the
 * session this same middleware verified earlier in the request, or authenticating itself.
 * `protect(handler)` is the same check wrapped around one handler, one step fewer in the chain
 * @koa/router composes for the route.
 * @example
 * ```ts
 * router.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), listWallets);
 * router.get("/me", auth.protect((ctx) => { ctx.body = { userId: ctx.state.turnkey!.userId }; }));
 * ```
 */
export interface KoaTurnkeyAuth extends Middleware {
  with(...policies: Policy[]): Middleware;
  /** With route options first: `with({ dpop: "required" }, ...policies)` (RFC 9449 proof of possession on this route). */
  with(options: RouteOptions, ...policies: Policy[]): Middleware;
  /** Give `ContextT` (e.g. @koa/router's `RouterContext`) to type `ctx.params` in the handler. */
  protect<StateT = DefaultState, ContextT = DefaultContext>(handler: Middleware<StateT, ContextT>): Middleware<StateT, ContextT>;
  readonly verifier: SessionVerifier;
}

const KOA: RequestReader<Context> = {
  // @koa/router's defaults (`sensitive: false`, `strict: false`): case-insensitive, one trailing
  // slash ignored, repeated slashes kept. The router's options are not visible from here.
  pathMatching: { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false },
  method: (ctx) => ctx.method,
  target: (ctx) => ctx.originalUrl,
  headers: (ctx) => ctx.headers,
  rawHeaders: (ctx) => ctx.req.rawHeaders,
  params: (ctx) => (ctx as { params?: Readonly<Record<string, string | undefined>> }).params ?? {}, // set by a router, if any
  query: (ctx) => ctx.query as Readonly<Record<string, unknown>>,
  holder: (ctx) => ctx.state,
};

const callNext: Middleware = (_ctx, next) => next();

// Koa answers 404 to a response nobody touched. Whether a status was set is kept in Koa's own
// `_explicitStatus` (lib/response.js), as Koa itself reads it; a body set counts too.
function unanswered(ctx: Context): boolean {
  const explicit = (ctx.response as { _explicitStatus?: unknown })._explicitStatus;
  const statusSet = typeof explicit === "boolean" ? explicit : ctx.status !== 404;
  return !statusSet && ctx.body == null && !ctx.headerSent && ctx.respond !== false;
}

/**
 * Koa middleware verifying the Turnkey session into `ctx.state.turnkey`. Refusals are answered
 * with 400/401/403/503, `WWW-Authenticate` and `{ error, message }`, or thrown upstream (with
 * `status` and `expose`) with `forwardErrors`; a policy that throws is always thrown upstream.
 * @example
 * ```ts
 * const auth = turnkeyAuth({ trustedOrganizations: ["org-id"] });
 * app.use(auth);
 * app.use((ctx) => { ctx.body = { userId: ctx.state.turnkey?.userId }; });
 * ```
 */
export function turnkeyAuth(options: KoaTurnkeyAuthOptions): KoaTurnkeyAuth {
  const authenticator = createAuthenticator(options, KOA);
  const { onError } = options;

  // `proceed` runs once the request is let in: next() for the middleware, the handler for protect().
  function answer({ session, failure }: AuthResult, ctx: Context, next: Next, proceed: Middleware): unknown {
    if (failure === undefined) {
      if (session !== undefined) ctx.state.turnkey = session;
      return proceed(ctx, next);
    }
    // As http-errors does: Koa shows the message of a 4xx, and hides a 5xx behind its status text.
    if (failure.forward) throw Object.assign(failure.error, { expose: failure.status < 500 });
    const answerByDefault = () => {
      ctx.status = failure.status;
      ctx.set(failure.headers);
      ctx.body = failure.body;
    };
    if (onError === undefined) return answerByDefault();
    const returned = onError(failure.error, ctx);
    if (!isThenable(returned)) return unanswered(ctx) ? answerByDefault() : undefined;
    return Promise.resolve(returned).then(() => (unanswered(ctx) ? answerByDefault() : undefined));
  }

  const run = (ctx: Context, next: Next, route: RouteRequirements | undefined, proceed: Middleware) =>
    whenAuthenticated(authenticator.authenticate(ctx, route), (result) => answer(result, ctx, next, proceed)) as Promise<unknown>;

  return Object.assign((ctx: Context, next: Next) => run(ctx, next, undefined, callNext), {
    with(...args: (Policy | RouteOptions)[]): Middleware {
      const route = authenticator.route(args, "with()");
      return (ctx, next) => run(ctx, next, route, callNext);
    },
    protect(handler: Middleware): Middleware {
      if (typeof handler !== "function") throw new TypeError("turnkey-session-auth: protect() takes a handler function");
      return (ctx, next) => run(ctx, next, undefined, handler);
    },
    verifier: authenticator.verifier,
  }) as KoaTurnkeyAuth;
}

/**
 * The session `turnkeyAuth` verified for this request. Throws when there is none: the middleware
 * did not run before this one, or `optional` let an anonymous request in (read
 * `ctx.state.turnkey` on such routes).
 * @example
 * ```ts
 * router.get("/me", auth, (ctx) => { ctx.body = { userId: sessionOf(ctx).userId }; });
 * ```
 */
export function sessionOf(ctx: Pick<Context, "state">): TurnkeySession {
  const session = (ctx.state as DefaultState).turnkey;
  if (session === undefined) {
    throw new Error("turnkey-session-auth: sessionOf(ctx) found no session: mount turnkeyAuth (or auth.with(...)) before this middleware; on an optional route, read ctx.state.turnkey instead");
  }
  return session;
}

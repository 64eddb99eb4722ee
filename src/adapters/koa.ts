import type { Context, DefaultContext, DefaultState, Middleware, Next } from "koa";
import { createRouteSessions } from "../http/route-sessions.js";
import { createAuthenticator, protectedHandler, whenAuthenticated, type AuthOptions, type AuthResult } from "../http/authenticate.js";
import { canonicalPolicyPath } from "../http/canonical-path.js";
import { resolvePathMatching, type PathMatching } from "../http/path-matching.js";
import type { Policy, RequestLike, SessionVerifier, TurnkeyAuthError, TurnkeySession } from "../index.js";

declare module "koa" {
  interface DefaultState { /** The verified session (set by `turnkeyAuth`); absent when `optional` let an anonymous request in. */ turnkey?: TurnkeySession }
}

/**
 * The shared adapter options, plus `onError` to answer a refusal yourself. Failures thrown
 * upstream (`forwardErrors`, or a policy that threw) reach your error-handling middleware instead.
 * @example
 * ```ts
 * turnkeyAuth({ trustedOrganizations: ["org-id"], onError: (error, ctx) => { ctx.status = error.status; } });
 * ```
 */
export type KoaTurnkeyAuthOptions = AuthOptions<Context> & { onError?: (error: TurnkeyAuthError, ctx: Context) => unknown };

/**
 * The middleware of {@link turnkeyAuth}. `with(...policies)` adds route policies on top, reusing the
 * session this same middleware verified earlier in the request, or authenticating itself.
 * `protect(handler)` is the same check wrapped around one handler: the route's middleware chain,
 * which @koa/router composes anew for every request, is one step shorter (the fastest form).
 * @example
 * ```ts
 * router.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), listWallets);
 * router.get("/me", auth.protect((ctx) => { ctx.body = { userId: ctx.state.turnkey!.userId }; }));
 * ```
 */
export interface KoaTurnkeyAuth extends Middleware {
  with(...policies: Policy[]): Middleware;
  /** Give `ContextT` (e.g. @koa/router's `RouterContext`) to type `ctx.params` in the handler. */
  protect<StateT = DefaultState, ContextT = DefaultContext>(handler: Middleware<StateT, ContextT>): Middleware<StateT, ContextT>;
  readonly verifier: SessionVerifier;
}

const callNext: Middleware = (_ctx, next) => next();
// @koa/router's defaults (`sensitive: false`, `strict: false`): case-insensitive, one trailing
// slash ignored, repeated slashes kept. The router's options are not visible from here.
const KOA_ROUTER_MATCHING: PathMatching = { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false };

// Lazy, so `ctx.query` is parsed only if a policy asks; `ctx.params` exists only if a router set it.
class KoaRequestView implements RequestLike {
  private canonicalPath: string | undefined;
  constructor(private readonly ctx: Context, private readonly matching: PathMatching) {}
  get method() { return this.ctx.method; }
  get path() { return (this.canonicalPath ??= canonicalPolicyPath(this.ctx.originalUrl, this.matching)); }
  get params() { return (this.ctx as { params?: Readonly<Record<string, string | undefined>> }).params ?? {}; }
  get query() { return this.ctx.query as Readonly<Record<string, unknown>>; }
  get headers() { return this.ctx.headers; }
  get rawHeaders() { return this.ctx.req.rawHeaders; }
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
  const authenticator = createAuthenticator<Context>(options);
  const matching = resolvePathMatching(options.pathMatching, KOA_ROUTER_MATCHING);
  const { onError } = options;
  const routeSessions = createRouteSessions<Context>(); // for with()

  // `proceed` runs once the request is let in: next() for the middleware, the handler for protect().
  function answer({ session, failure }: AuthResult, ctx: Context, next: Next, proceed: Middleware): unknown {
    if (failure === undefined) {
      if (session !== undefined) {
        routeSessions.remember(ctx, session);
        ctx.state.turnkey = session;
      }
      return proceed(ctx, next);
    }
    // As http-errors does: Koa shows the message of a 4xx, and hides a 5xx behind its status text.
    if (failure.forward) throw Object.assign(failure.error, { expose: failure.status < 500 });
    if (onError !== undefined) return onError(failure.error, ctx);
    ctx.status = failure.status;
    ctx.set(failure.headers);
    ctx.body = failure.body;
  }

  // Not async: a cached session hands on next()'s own promise, with no extra await (koa-compose
  // turns a synchronous throw into a rejection).
  const run = (ctx: Context, next: Next, extra?: readonly Policy[], proceed: Middleware = callNext) =>
    whenAuthenticated(authenticator.authenticate(new KoaRequestView(ctx, matching), ctx, extra, extra && routeSessions.recall(ctx)),
      answer, ctx, next, proceed);

  const auth = ((ctx: Context, next: Next) => run(ctx, next)) as KoaTurnkeyAuth;
  return Object.assign(auth, {
    with(...policies: Policy[]): Middleware {
      const extra = routeSessions.policiesForRoute(policies);
      return (ctx, next) => run(ctx, next, extra) as Promise<unknown>;
    },
    protect(handler: Middleware): Middleware {
      const checked = protectedHandler(handler);
      return (ctx, next) => run(ctx, next, undefined, checked) as Promise<unknown>;
    },
    verifier: authenticator.verifier,
  });
}

import type { Context, Handler, MiddlewareHandler, Next } from "hono";
import type { BlankInput, H, HandlerResponse, Input } from "hono/types";
import { HTTPException } from "hono/http-exception";
import { canonicalPolicyPath } from "../http/canonical-path.js";
import { resolvePathMatching, type PathMatching } from "../http/path-matching.js";
import { createRouteSessions } from "../http/route-sessions.js";
import { createAuthenticator, protectedHandler, whenAuthenticated, type AuthOptions, type AuthResult } from "../http/authenticate.js";
import type { Policy, RequestLike, SessionVerifier, TurnkeyAuthError, TurnkeySession } from "../index.js";

/** `c.get("turnkey")`: the verified session, or `undefined` when `optional` let a request in.
 * @example `const app = new Hono<{ Variables: TurnkeyVariables }>();` */
export type TurnkeyVariables = { turnkey: TurnkeySession | undefined };
type TurnkeyEnv = { Variables: TurnkeyVariables };

// Also types `c.get("turnkey")` in apps that do not declare TurnkeyVariables.
declare module "hono" { interface ContextVariableMap { turnkey?: TurnkeySession } }

/**
 * Shared adapter options, plus `onError` to build the refusal response (forwarded ones skip it).
 * @example
 * ```ts
 * turnkeyAuth({ trustedOrganizations: ["org-id"], onError: (error, c) => c.json({ code: error.code }, error.status) });
 * ```
 */
export type HonoTurnkeyAuthOptions = AuthOptions<Context> & {
  onError?: (error: TurnkeyAuthError, c: Context) => Response | Promise<Response>;
};

/**
 * The middleware of {@link turnkeyAuth}. `with(...policies)` adds route policies on top, reusing the
 * session this same middleware verified earlier in the request, or authenticating itself.
 * `protect(handler)` is the same check wrapped around one handler: the route keeps Hono's
 * single-handler fast path (no middleware composition), the fastest form for hot routes.
 * @example
 * ```ts
 * app.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), listWallets);
 * app.get("/me", auth.protect((c) => c.json({ userId: c.get("turnkey")!.userId })));
 * ```
 */
export interface HonoTurnkeyAuth extends MiddlewareHandler<TurnkeyEnv> {
  with(...policies: Policy[]): MiddlewareHandler<TurnkeyEnv>;
  /** TypeScript cannot infer the route's path through the wrapper: give it to type `c.req.param()`, `protect<"/orgs/:orgId">(…)`. */
  protect<P extends string = any, I extends Input = BlankInput, R extends HandlerResponse<any> = any>(
    handler: H<TurnkeyEnv, P, I, R>): H<TurnkeyEnv, P, I, R | Response>;
  readonly verifier: SessionVerifier;
}

const callNext: Handler<TurnkeyEnv> = (_c, next) => next();
// Hono's defaults: case-sensitive, strict (`new Hono({ strict: false })` ignores one trailing
// slash), repeated slashes kept. The app's options are not visible from a middleware.
const HONO_MATCHING: PathMatching = { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false };

// Fetch API only, so it runs on every Hono runtime; lazy, as Hono computes params and query per call.
class HonoRequestView implements RequestLike {
  private canonicalPath: string | undefined;
  constructor(private readonly c: Context, private readonly matching: PathMatching) {}
  get method() { return this.c.req.method; }
  get path() { return (this.canonicalPath ??= canonicalPolicyPath(this.c.req.raw.url, this.matching)); }
  get params() { return this.c.req.param() as Readonly<Record<string, string | undefined>>; }
  get query() { return this.c.req.query() as Readonly<Record<string, unknown>>; }
  get headers() { return this.c.req.raw.headers; }
}

/**
 * Hono middleware verifying the session into `c.get("turnkey")`. Refusals get 400/401/403/503, a challenge
 * and `{ error, message }`; forwarded ones are thrown as an `HTTPException` (response + `cause`).
 * @example
 * ```ts
 * const auth = turnkeyAuth({ trustedOrganizations: ["org-id"] });
 * app.get("/me", auth, (c) => c.json({ userId: c.get("turnkey")?.userId }));
 * ```
 */
export function turnkeyAuth(options: HonoTurnkeyAuthOptions): HonoTurnkeyAuth {
  const authenticator = createAuthenticator<Context>(options);
  const matching = resolvePathMatching(options.pathMatching, HONO_MATCHING);
  const { onError } = options;
  const routeSessions = createRouteSessions<Context>(); // for with()
  // `proceed` runs once the request is let in: next() for the middleware, the handler for protect().
  function answer({ session, failure }: AuthResult, c: Context<TurnkeyEnv>, next: Next, proceed: Handler<TurnkeyEnv>) {
    if (failure === undefined) {
      if (session !== undefined) {
        routeSessions.remember(c, session);
        c.set("turnkey", session);
      }
      return proceed(c, next);
    }
    const { status, headers, body } = failure;
    if (failure.forward) throw new HTTPException(status, { res: Response.json(body, { status, headers }), message: body.message, cause: failure.error });
    if (onError !== undefined) return onError(failure.error, c);
    return c.json(body, status, headers);
  }

  // Not async: a cached session hands on next()'s own promise (or the handler's answer), with no extra await.
  const run = (c: Context<TurnkeyEnv>, next: Next, extra?: readonly Policy[], proceed: Handler<TurnkeyEnv> = callNext) =>
    whenAuthenticated(authenticator.authenticate(new HonoRequestView(c, matching), c, extra, extra && routeSessions.recall(c)), answer, c, next, proceed);

  return Object.assign(((c, next) => run(c, next)) as MiddlewareHandler<TurnkeyEnv>, {
    with(...policies: Policy[]): MiddlewareHandler<TurnkeyEnv> {
      const extra = routeSessions.policiesForRoute(policies);
      return (c, next) => run(c, next, extra) as Promise<Response | void>;
    },
    protect(handler: Handler<TurnkeyEnv>): Handler<TurnkeyEnv> {
      const checked = protectedHandler(handler);
      return (c, next) => run(c, next, undefined, checked);
    },
    verifier: authenticator.verifier,
  }) as HonoTurnkeyAuth;
}

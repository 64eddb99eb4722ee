import type { Context, Handler, MiddlewareHandler, Next } from "hono";
import type { BlankInput, H, HandlerResponse, Input } from "hono/types";
import { HTTPException } from "hono/http-exception";
import type { TurnkeyAuthError } from "../errors.js";
import type { AuthOptions } from "../http/adapter-options.js";
import { createAuthenticator, whenAuthenticated, type AuthResult } from "../http/authenticate.js";
import type { RequestReader } from "../http/request-reader.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { RouteOptions, RouteRequirements } from "../http/route-options.js";
import type { Policy } from "../policies/policy.js";
import { isThenable } from "../promises.js";

/** `c.get("turnkey")`: the verified session, or `undefined` when `optional` let a request in.
 * @example `const app = new Hono<{ Variables: TurnkeyVariables }>();` */
export type TurnkeyVariables = { turnkey: TurnkeySession | undefined };
type TurnkeyEnv = { Variables: TurnkeyVariables };

// Also types `c.get("turnkey")` in apps that do not declare TurnkeyVariables.
declare module "hono" { interface ContextVariableMap { turnkey?: TurnkeySession } }

/**
 * Shared adapter options, plus `onError` to build the refusal response (forwarded ones skip it).
 * An `onError` that returns no `Response` (and sets none on `c.res`) gets the default answer; to
 * only log refusals, use `onRefused`.
 * @example
 * ```ts
 * turnkeyAuth({ trustedOrganizations: ["org-id"], onError: (error, c) => c.json({ code: error.code }, error.status) });
 * ```
 */
export type HonoTurnkeyAuthOptions = AuthOptions<Context> & {
  onError?: (error: TurnkeyAuthError, c: Context) => Response | void | Promise<Response | void>;
};

/**
 * The middleware of {@link turnkeyAuth}. `with(...policies)` adds route policies on top, reusing the
 * session this same middleware verified earlier in the request, or authenticating itself.
 * `protect(handler)` is the same check wrapped around one handler, so the route has a single
 * handler and no middleware to compose.
 * @example
 * ```ts
 * app.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), listWallets);
 * app.get("/me", auth.protect((c) => c.json({ userId: c.get("turnkey")!.userId })));
 * ```
 */
export interface HonoTurnkeyAuth extends MiddlewareHandler<TurnkeyEnv> {
  with(...policies: Policy[]): MiddlewareHandler<TurnkeyEnv>;
  /** With route options first: `with({ dpop: "required" }, ...policies)` (RFC 9449 proof of possession on this route). */
  with(options: RouteOptions, ...policies: Policy[]): MiddlewareHandler<TurnkeyEnv>;
  /** TypeScript cannot infer the route's path through the wrapper: give it to type `c.req.param()`, `protect<"/orgs/:orgId">(…)`. */
  protect<P extends string = any, I extends Input = BlankInput, R extends HandlerResponse<any> = any>(
    handler: H<TurnkeyEnv, P, I, R>): H<TurnkeyEnv, P, I, R | Response>;
  readonly verifier: SessionVerifier;
}

// Fetch API only, so it runs on every Hono runtime.
const HONO: RequestReader<Context> = {
  // Hono's defaults: case-sensitive, strict (`new Hono({ strict: false })` ignores one trailing
  // slash), repeated slashes kept. The app's options are not visible from a middleware.
  pathMatching: { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false },
  method: (c) => c.req.method,
  target: (c) => c.req.raw.url,
  headers: (c) => c.req.raw.headers,
  params: (c) => c.req.param() as Readonly<Record<string, string | undefined>>,
  query: (c) => c.req.query() as Readonly<Record<string, unknown>>,
  holder: (c) => c,
};

const callNext: Handler<TurnkeyEnv> = (_c, next) => next();

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
  const authenticator = createAuthenticator(options, HONO);
  const { onError } = options;

  // `proceed` runs once the request is let in: next() for the middleware, the handler for protect().
  function answer({ session, failure }: AuthResult, c: Context<TurnkeyEnv>, next: Next, proceed: Handler<TurnkeyEnv>) {
    if (failure === undefined) {
      if (session !== undefined) c.set("turnkey", session);
      return proceed(c, next);
    }
    const { status, headers, body } = failure;
    if (failure.forward) throw new HTTPException(status, { res: Response.json(body, { status, headers }), message: body.message, cause: failure.error });
    const answerByDefault = () => c.json(body, status, headers);
    if (onError === undefined) return answerByDefault();
    const orDefault = (returned: Response | void) => (returned instanceof Response ? returned : c.finalized ? c.res : answerByDefault());
    const returned = onError(failure.error, c);
    return isThenable(returned) ? Promise.resolve(returned).then(orDefault) : orDefault(returned);
  }

  const run = (c: Context<TurnkeyEnv>, next: Next, route: RouteRequirements | undefined, proceed: Handler<TurnkeyEnv>) =>
    whenAuthenticated(authenticator.authenticate(c, route), (result) => answer(result, c, next, proceed));

  return Object.assign(((c, next) => run(c, next, undefined, callNext)) as MiddlewareHandler<TurnkeyEnv>, {
    with(...args: (Policy | RouteOptions)[]): MiddlewareHandler<TurnkeyEnv> {
      const route = authenticator.route(args, "with()");
      return (c, next) => run(c, next, route, callNext) as Promise<Response | void>;
    },
    protect(handler: Handler<TurnkeyEnv>): Handler<TurnkeyEnv> {
      if (typeof handler !== "function") throw new TypeError("turnkey-session-auth: protect() takes a handler function");
      return (c, next) => run(c, next, undefined, handler);
    },
    verifier: authenticator.verifier,
  }) as HonoTurnkeyAuth;
}

/**
 * The session `turnkeyAuth` verified for this request. Throws when there is none: the middleware
 * did not run before this handler, or `optional` let an anonymous request in (read
 * `c.get("turnkey")` on such routes).
 * @example
 * ```ts
 * app.get("/me", auth, (c) => c.json({ userId: sessionOf(c).userId }));
 * ```
 */
export function sessionOf(c: Context): TurnkeySession {
  const session = (c as Context<TurnkeyEnv>).get("turnkey");
  if (session === undefined) {
    throw new Error('turnkey-session-auth: sessionOf(c) found no session: mount turnkeyAuth (or auth.with(...)) before this handler; on an optional route, read c.get("turnkey") instead');
  }
  return session;
}

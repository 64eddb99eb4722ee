import type { Context, MiddlewareHandler, Next } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { createAuthenticator, type AuthOptions } from "../authenticate.js";
import type { Policy, RequestLike, SessionVerifier, TurnkeyAuthError, TurnkeySession } from "../index.js";

/**
 * `c.get("turnkey")`: the verified session, or `undefined` when `optional` let a request in.
 * @example
 * ```ts
 * const app = new Hono<{ Variables: TurnkeyVariables }>();
 * ```
 */
export type TurnkeyVariables = { turnkey: TurnkeySession | undefined };
type TurnkeyEnv = { Variables: TurnkeyVariables };

// Also types `c.get("turnkey")` in apps that do not declare TurnkeyVariables.
declare module "hono" {
  interface ContextVariableMap { turnkey?: TurnkeySession }
}

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
 * @example
 * ```ts
 * app.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), listWallets);
 * ```
 */
export interface HonoTurnkeyAuth extends MiddlewareHandler<TurnkeyEnv> {
  with(...policies: Policy[]): MiddlewareHandler<TurnkeyEnv>;
  readonly verifier: SessionVerifier;
}

// Fetch API only, so it runs on every Hono runtime; lazy, as Hono computes params and query per call.
class HonoRequestView implements RequestLike {
  constructor(private readonly c: Context) {}
  get method() { return this.c.req.method; }
  get path() { return this.c.req.path; }
  get params() { return this.c.req.param() as Readonly<Record<string, string | undefined>>; }
  get query() { return this.c.req.query() as Readonly<Record<string, unknown>>; }
  get headers() { return this.c.req.raw.headers; }
}

/**
 * Hono middleware verifying the session into `c.get("turnkey")`. Refusals get 401/403/503, a challenge
 * and `{ error, message }`; forwarded ones are thrown as an `HTTPException` (response + `cause`).
 * @example
 * ```ts
 * const auth = turnkeyAuth({ trustedOrganizations: ["org-id"] });
 * app.get("/me", auth, (c) => c.json({ userId: c.get("turnkey")?.userId }));
 * ```
 */
export function turnkeyAuth(options: HonoTurnkeyAuthOptions): HonoTurnkeyAuth {
  const authenticator = createAuthenticator<Context>(options);
  const { onError } = options;
  if (onError !== undefined && typeof onError !== "function") throw new TypeError('turnkey-session-auth: option "onError" must be a function');
  // with() reuses only sessions this instance verified: another turnkeyAuth may trust more or check less.
  const verified = new WeakMap<Context, TurnkeySession>();

  async function run(c: Context<TurnkeyEnv>, next: Next, extra?: readonly Policy[], existing?: TurnkeySession) {
    const { session, failure } = await authenticator.authenticate(new HonoRequestView(c), c, extra, existing);
    if (failure === undefined) {
      if (session !== undefined) {
        verified.set(c, session);
        c.set("turnkey", session);
      }
      return next();
    }
    if (failure.forward) {
      const res = Response.json(failure.body, { status: failure.status, headers: failure.headers });
      throw new HTTPException(failure.status, { res, message: failure.body.message, cause: failure.error });
    }
    if (onError !== undefined) return onError(failure.error, c);
    return c.json(failure.body, failure.status, failure.headers);
  }

  return Object.assign(createMiddleware<TurnkeyEnv>((c, next) => run(c, next)), {
    with(...policies: Policy[]): MiddlewareHandler<TurnkeyEnv> {
      if (!policies.every((policy) => typeof policy === "function")) throw new TypeError("turnkey-session-auth: with() takes policy functions");
      return createMiddleware<TurnkeyEnv>((c, next) => run(c, next, policies, verified.get(c)));
    },
    verifier: authenticator.verifier,
  }) as HonoTurnkeyAuth;
}

import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createAuthenticator, type AuthOptions } from "../authenticate.js";
import { policyPath } from "../request.js";
import type { Policy, RequestLike, SessionVerifier, TurnkeyAuthError, TurnkeySession } from "../index.js";

declare global {
  namespace Express {
    interface Request {
      /** The verified session, set by `turnkeyAuth`; absent when `optional` let an anonymous request in. */
      turnkey?: TurnkeySession;
    }
  }
}

/**
 * The shared adapter options, plus `onError` to answer a refusal yourself. Failures sent to
 * `next(err)` (`forwardErrors`, or a policy that threw) reach your error middleware instead.
 * @example
 * ```ts
 * turnkeyAuth({ trustedOrganizations: ["org-id"], onError: (error, req, res) => res.status(error.status).end() });
 * ```
 */
export type ExpressTurnkeyAuthOptions = AuthOptions<Request> & {
  onError?: (error: TurnkeyAuthError, req: Request, res: Response, next: NextFunction) => void | Promise<void>;
};

/**
 * The middleware of {@link turnkeyAuth}. `with(...policies)` adds route policies on top, reusing the
 * session this same middleware verified earlier in the request, or authenticating itself.
 * @example
 * ```ts
 * app.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), listWallets);
 * ```
 */
export interface ExpressTurnkeyAuth extends TurnkeyRequestHandler {
  with(...policies: Policy[]): TurnkeyRequestHandler;
  readonly verifier: SessionVerifier;
}

// A RequestHandler generic in the route's types, so that mounting it keeps `req.params` typed.
type TurnkeyRequestHandler = <P, ResBody, ReqBody, ReqQuery, Locals extends Record<string, any>>(
  req: Request<P, ResBody, ReqBody, ReqQuery, Locals>, res: Response<ResBody, Locals>, next: NextFunction) => Promise<void>;

// Read lazily; the full decoded path, as `req.path` is mount-relative and still percent-encoded.
class ExpressRequestView implements RequestLike {
  constructor(private readonly req: Request) {}
  get method() { return this.req.method; }
  get path() { return policyPath(this.req.originalUrl); }
  get params() { return this.req.params as Readonly<Record<string, string | undefined>>; }
  get query() { return this.req.query as Readonly<Record<string, unknown>>; }
  get headers() { return this.req.headers; }
  get rawHeaders() { return this.req.rawHeaders; }
}

/**
 * Express (4 and 5) middleware verifying the Turnkey session into `req.turnkey`. Refusals get
 * 401/403/503 with `WWW-Authenticate` and `{ error, message }`, or go to `next(err)` with
 * `forwardErrors`; a policy that throws always goes to `next(err)`.
 * @example
 * ```ts
 * const auth = turnkeyAuth({ trustedOrganizations: ["org-id"] });
 * app.get("/me", auth, (req, res) => res.json({ userId: req.turnkey!.userId }));
 * ```
 */
export function turnkeyAuth(options: ExpressTurnkeyAuthOptions): ExpressTurnkeyAuth {
  const authenticator = createAuthenticator<Request>(options);
  const { onError } = options;
  if (onError !== undefined && typeof onError !== "function") throw new TypeError('turnkey-session-auth: option "onError" must be a function');
  // with() reuses only sessions this instance verified: another turnkeyAuth may trust more or check less.
  const verified = new WeakMap<Request, TurnkeySession>();

  async function run(req: Request, res: Response, next: NextFunction, extra?: readonly Policy[], existing?: TurnkeySession) {
    const { session, failure } = await authenticator.authenticate(new ExpressRequestView(req), req, extra, existing);
    if (failure === undefined) {
      if (session !== undefined) {
        verified.set(req, session);
        req.turnkey = session;
      }
      return next();
    }
    if (failure.forward) return next(failure.error);
    try {
      if (onError !== undefined) await onError(failure.error, req, res, next);
      else res.status(failure.status).set(failure.headers).json(failure.body);
    } catch (error) {
      next(error); // Express 4 ignores a rejected middleware promise.
    }
  }

  // Typed loosely here; the exported type is generic so that routes keep their own param types.
  const handler = (extra?: readonly Policy[]) =>
    ((req, res, next) => run(req, res, next, extra, extra && verified.get(req))) as RequestHandler as TurnkeyRequestHandler;
  return Object.assign(handler(), {
    with(...policies: Policy[]) {
      if (!policies.every((policy) => typeof policy === "function")) throw new TypeError("turnkey-session-auth: with() takes policy functions");
      return handler(policies);
    },
    verifier: authenticator.verifier,
  });
}

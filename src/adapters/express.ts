import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { TurnkeyAuthError } from "../errors.js";
import type { AuthOptions } from "../http/adapter-options.js";
import { createAuthenticator, whenAuthenticated, type AuthResult } from "../http/authenticate.js";
import type { RouteOptions, RouteRequirements } from "../http/route-options.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { Policy } from "../policies/policy.js";
import { isThenable } from "../promises.js";
import { EXPRESS } from "./express-reader.js";

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
 * `next(err)` (`forwardErrors`, or a policy that threw) reach your error middleware instead. An
 * `onError` that neither answers nor calls `next` (before it returns, or before its promise
 * settles) gets the default answer; to only log refusals, use `onRefused`.
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
  /** With route options first: `with({ dpop: "required" }, ...policies)` (RFC 9449 proof of possession on this route). */
  with(options: RouteOptions, ...policies: Policy[]): TurnkeyRequestHandler;
  readonly verifier: SessionVerifier;
}

// A RequestHandler generic in the route's types, so that mounting it keeps `req.params` typed.
type TurnkeyRequestHandler = <P, ResBody, ReqBody, ReqQuery, Locals extends Record<string, any>>(
  req: Request<P, ResBody, ReqBody, ReqQuery, Locals>, res: Response<ResBody, Locals>, next: NextFunction) => void;

/**
 * Express (4 and 5) middleware verifying the Turnkey session into `req.turnkey`. Refusals get
 * 400/401/403/503 with `WWW-Authenticate` and `{ error, message }`, or go to `next(err)` with
 * `forwardErrors`; a policy that throws always goes to `next(err)`.
 * @example
 * ```ts
 * const auth = turnkeyAuth({ trustedOrganizations: ["org-id"] });
 * app.get("/me", auth, (req, res) => res.json({ userId: req.turnkey!.userId }));
 * ```
 */
export function turnkeyAuth(options: ExpressTurnkeyAuthOptions): ExpressTurnkeyAuth {
  const authenticator = createAuthenticator(options, EXPRESS);
  const { onError } = options;

  function answer({ session, failure }: AuthResult, req: Request, res: Response, next: NextFunction): void | Promise<void> {
    if (failure === undefined) {
      if (session !== undefined) req.turnkey = session;
      return next();
    }
    if (failure.forward) return next(failure.error);
    const answerByDefault = () => void res.status(failure.status).set(failure.headers).json(failure.body);
    if (onError === undefined) return answerByDefault();
    let passedOn = false;
    const returned = onError(failure.error, req, res, (error?: unknown) => {
      passedOn = true;
      next(error);
    });
    const unanswered = () => !passedOn && !res.headersSent;
    if (!isThenable(returned)) return unanswered() ? answerByDefault() : undefined;
    return Promise.resolve(returned).then(() => (unanswered() ? answerByDefault() : undefined));
  }

  // Express 4 ignores a middleware's promise: a failure after a wait goes to next(err) here.
  function run(req: Request, res: Response, next: NextFunction, route?: RouteRequirements): void {
    const answered = whenAuthenticated(authenticator.authenticate(req, route), (result) => answer(result, req, res, next));
    if (answered instanceof Promise) answered.catch(next);
  }

  // Typed loosely here; the exported type is generic so that routes keep their own param types.
  const middleware = (route?: RouteRequirements) => ((req, res, next) => run(req, res, next, route)) as RequestHandler as TurnkeyRequestHandler;
  return Object.assign(middleware(), {
    with: (...args: (Policy | RouteOptions)[]) => middleware(authenticator.route(args, "with()")),
    verifier: authenticator.verifier,
  }) as ExpressTurnkeyAuth;
}

/**
 * The session `turnkeyAuth` verified for this request. Throws when there is none: the middleware
 * did not run before this handler, or `optional` let an anonymous request in (read `req.turnkey`
 * on such routes).
 * @example
 * ```ts
 * app.get("/me", auth, (req, res) => res.json({ userId: sessionOf(req).userId }));
 * ```
 */
export function sessionOf(req: Request): TurnkeySession {
  const session = req.turnkey;
  if (session === undefined) throw new Error(NO_SESSION);
  return session;
}

const NO_SESSION =
  "turnkey-session-auth: sessionOf(req) found no session: mount turnkeyAuth (or auth.with(...)) before this handler; on an optional route, read req.turnkey instead";

import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createRouteSessions } from "../http/route-sessions.js";
import { createAuthenticator, whenAuthenticated, type AuthOptions, type AuthResult } from "../http/authenticate.js";
import { canonicalPolicyPath } from "../http/canonical-path.js";
import { resolvePathMatching, type PathMatching } from "../http/path-matching.js";
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
  req: Request<P, ResBody, ReqBody, ReqQuery, Locals>, res: Response<ResBody, Locals>, next: NextFunction) => void;

// Express 4 and 5 routers match case-insensitively, ignore one trailing slash, keep repeated
// slashes. The app settings "case sensitive routing" and "strict routing" are not read: they
// govern the app's own routes only, and every express.Router() keeps these defaults unless made
// with options of its own, so a setting could not vouch for the route that runs.
const EXPRESS_ROUTING: PathMatching = { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false };

// Read lazily; from `originalUrl`, as `req.path` is mount-relative and still percent-encoded.
class ExpressRequestView implements RequestLike {
  private canonicalPath: string | undefined;
  constructor(private readonly req: Request, private readonly matching: PathMatching) {}
  get method() { return this.req.method; }
  get path() { return (this.canonicalPath ??= canonicalPolicyPath(this.req.originalUrl, this.matching)); }
  get params() { return this.req.params as Readonly<Record<string, string | undefined>>; }
  get query() { return this.req.query as Readonly<Record<string, unknown>>; }
  get headers() { return this.req.headers; }
  get rawHeaders() { return this.req.rawHeaders; }
}

// with() records go on `res.locals` (a dictionary), not on `req`: Express re-prototypes `req` on
// every request, so each property added to it builds a new hidden class (~2–3 µs a request).
const holderOf = (res: Response): object | undefined => (typeof res.locals === "object" && res.locals !== null ? res.locals : undefined);

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
  const authenticator = createAuthenticator<Request>(options);
  const matching = resolvePathMatching(options.pathMatching, EXPRESS_ROUTING);
  const { onError } = options;
  const routeSessions = createRouteSessions<Request>(); // for with()

  function answer({ session, failure }: AuthResult, req: Request, res: Response, next: NextFunction): void | Promise<void> {
    if (failure === undefined) {
      if (session !== undefined) {
        routeSessions.remember(req, session, holderOf(res));
        req.turnkey = session;
      }
      return next();
    }
    if (failure.forward) return next(failure.error);
    if (onError !== undefined) return onError(failure.error, req, res, next);
    res.status(failure.status).set(failure.headers).json(failure.body);
  }

  // Not async: a cached session calls next() at once. Express 4 ignores a rejected middleware
  // promise, so a failure after a wait goes to next(err) here.
  function run(req: Request, res: Response, next: NextFunction, extra?: readonly Policy[]): void {
    const result = authenticator.authenticate(new ExpressRequestView(req, matching), req, extra, extra && routeSessions.recall(req, holderOf(res)));
    const answered = whenAuthenticated(result, answer, req, res, next);
    if (answered instanceof Promise) answered.catch(next);
  }

  // Typed loosely here; the exported type is generic so that routes keep their own param types.
  const handler = (extra?: readonly Policy[]) => ((req, res, next) => run(req, res, next, extra)) as RequestHandler as TurnkeyRequestHandler;
  return Object.assign(handler(), {
    with: (...policies: Policy[]) => handler(routeSessions.policiesForRoute(policies)),
    verifier: authenticator.verifier,
  });
}

import { TurnkeyAuthError } from "../errors.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { Policy } from "../policies/policy.js";
import { runPolicies } from "../policies/run-policies.js";
import { resolveAdapterOptions, type AuthOptions } from "./adapter-options.js";
import { canonicalPolicyPath } from "./canonical-path.js";
import { requestCounter } from "../telemetry/meter.js";
import { extractToken, misplacedToken, type TokenSource } from "./extract-token.js";
import { observe, refusalDetails, refusedFor } from "./hooks.js";
import { describeFailure, type AuthFailure } from "./refusal.js";
import { RequestView, type RequestReader } from "./request-reader.js";
import type { RouteRequirements } from "./route-options.js";

/**
 * The outcome of {@link Authenticator.authenticate}: a session (none for an anonymous `optional` request), or a refusal.
 * @example `const { session, failure } = await authenticator.authenticate(req);`
 */
export type AuthResult =
  | { readonly session: TurnkeySession | undefined; readonly failure?: undefined }
  | { readonly session?: undefined; readonly failure: AuthFailure };

/**
 * The framework-free engine behind every adapter: reads the token, verifies it, runs the policies,
 * and describes a refusal. Adapters only translate requests and results.
 *
 * @example
 * ```ts
 * const authenticator = createAuthenticator(options, reader);
 * const { session, failure } = await authenticator.authenticate(req);
 * ```
 */
export interface Authenticator<Native> {
  /**
   * Authenticates `request`: its token (`getToken`, else `extractToken`), the session
   * (`verifier.cached`, else `verifier.verify`), then the configured policies. With `route` (what
   * one route adds, e.g. `with(...)`), a request this authenticator already granted skips straight
   * to the route's policies; another is authenticated, then both lists run. The hooks
   * (`onAuthenticated`, `onRefused`) and metrics see every outcome.
   *
   * Never throws or rejects. Returns the result itself when nothing had to wait (a cached session,
   * synchronous trust and policies), else a promise of it; `await` takes both.
   */
  authenticate(request: Native, route?: RouteRequirements | readonly Policy[]): AuthResult | Promise<AuthResult>;
  readonly verifier: SessionVerifier;
}

const NO_ROUTE: RouteRequirements = Object.freeze({ policies: Object.freeze([]), optional: undefined });
const ANONYMOUS: AuthResult = Object.freeze({ session: undefined });
const GRANTED = Object.freeze({ outcome: "granted" });
const PASSED_ANONYMOUS = Object.freeze({ outcome: "anonymous" });

/**
 * Creates the {@link Authenticator} an adapter wraps, for requests read by `reader`. Validates every
 * option now: a bad value throws a `TypeError` naming it, before the app serves a request.
 *
 * @example
 * ```ts
 * const authenticator = createAuthenticator<IncomingMessage>({ trustedOrganizations: ["org-id"] }, reader);
 * ```
 */
export function createAuthenticator<Native>(options: AuthOptions<Native>, reader: RequestReader<Native>): Authenticator<Native> {
  const config = resolveAdapterOptions(options, reader.pathMatching);
  const { verifier, policies, policyTimeout, onAuthenticated, onRefused } = config;
  const countRequest = requestCounter(config.meter);
  // This instance's mark on a request's holder: another instance may trust more or check less.
  const granted = Symbol("turnkey-session-auth: granted");
  type Holder = Record<symbol, { readonly request: Native; readonly session: TurnkeySession } | undefined>;

  // The holder's record names its request, so a holder an app shares between requests hands no session on.
  function grantedEarlier(request: Native): TurnkeySession | undefined {
    const record = (reader.holder(request) as Holder)[granted];
    return record?.request === request ? record.session : undefined;
  }

  // `fresh`: from this request's own token, not reused from an earlier grant (observed once).
  function grant(request: Native, session: TurnkeySession, fresh: boolean): AuthResult {
    (reader.holder(request) as Holder)[granted] = { request, session };
    if (fresh) {
      countRequest(1, GRANTED);
      observe(onAuthenticated, session, request);
    }
    return { session };
  }

  function tokenOf(request: Native): string | undefined {
    if (config.getToken !== undefined) return config.getToken(request) || undefined;
    return extractToken(sourceOf(request), config.extractOptions);
  }

  function sourceOf(request: Native): TokenSource {
    return { headers: reader.headers(request), rawHeaders: reader.rawHeaders?.(request) };
  }

  // `view` exists whenever there are policies (see authenticate). A refusal remembers its session, for onRefused.
  function authorize(request: Native, session: TurnkeySession, checks: readonly Policy[], view: RequestView<Native> | undefined, fresh: boolean) {
    let pending: void | Promise<void>;
    try {
      pending = checks.length === 0 ? undefined : runPolicies(checks, { session, request: view! }, policyTimeout);
    } catch (error) {
      throw refusedFor(error, session);
    }
    if (pending === undefined) return grant(request, session, fresh);
    return pending.then(() => grant(request, session, fresh), (error: unknown) => { throw refusedFor(error, session); });
  }

  function fail(thrown: unknown, request: Native): AuthResult {
    const failure = describeFailure(thrown, config.realm, config.forwardErrors);
    countRequest(1, { outcome: "refused", code: failure.error.code });
    if (onRefused !== undefined) observe(onRefused, failure.error, request, refusalDetails(thrown, failure.error));
    return { failure };
  }

  function missingToken(request: Native): TurnkeyAuthError {
    const found = config.getToken === undefined ? misplacedToken(sourceOf(request), config.extractOptions) : undefined;
    return new TurnkeyAuthError("missing_token", found === undefined ? "No session token was presented" : `No session token was presented: ${found}`);
  }

  // The session this authenticator granted earlier in the request (then only the route's policies
  // run), or the session of the request's own token (then all of them).
  function authenticated(request: Native, route: RouteRequirements | undefined, view: RequestView<Native> | undefined) {
    const routePolicies = (route ?? NO_ROUTE).policies;
    const earlier = route === undefined ? undefined : grantedEarlier(request);
    if (earlier !== undefined) return authorize(request, earlier, routePolicies, view, false);
    const token = tokenOf(request);
    if (token === undefined) {
      // An anonymous request may pass the middleware, never a route's own policies (those judge a
      // session) unless the route says so.
      if (route?.optional ?? (config.optional && routePolicies.length === 0)) {
        countRequest(1, PASSED_ANONYMOUS);
        return ANONYMOUS;
      }
      throw missingToken(request);
    }
    const checks = routePolicies.length === 0 ? policies : policies.length === 0 ? routePolicies : [...policies, ...routePolicies];
    const known = verifier.cached(token);
    if (known !== undefined) return authorize(request, known, checks, view, true);
    return Promise.resolve(verifier.verify(token)).then((session) => authorize(request, session, checks, view, true));
  }

  function authenticate(request: Native, routeInput?: RouteRequirements | readonly Policy[]): AuthResult | Promise<AuthResult> {
    try {
      const route = Array.isArray(routeInput) ? { policies: routeInput as readonly Policy[], optional: undefined } : (routeInput as RouteRequirements | undefined);
      // Policies compare request.path: a target that could be read as another path is refused
      // (400 invalid_request) before anything else, whatever the token.
      const view = policies.length > 0 || (route !== undefined && route.policies.length > 0)
        ? new RequestView(request, reader, canonicalPolicyPath(reader.target(request), config.pathMatching))
        : undefined;
      const outcome = authenticated(request, route, view);
      return outcome instanceof Promise ? outcome.catch((error: unknown) => fail(error, request)) : outcome;
    } catch (error) {
      return fail(error, request);
    }
  }

  return { authenticate, verifier };
}

/**
 * Calls `answer` with what {@link Authenticator.authenticate} returned: at once for a result, on
 * settlement for a promise (which never rejects). Returns what `answer` returns, or a promise of it.
 *
 * @example
 * ```ts
 * whenAuthenticated(authenticator.authenticate(req), (result) => answer(result, req, res, next));
 * ```
 */
export function whenAuthenticated<T>(outcome: AuthResult | Promise<AuthResult>, answer: (result: AuthResult) => T): T | Promise<T> {
  return outcome instanceof Promise ? outcome.then(answer) : answer(outcome);
}

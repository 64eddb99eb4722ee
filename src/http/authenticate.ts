import { TurnkeyAuthError, type TurnkeyAuthScheme } from "../errors.js";
import type { DpopMode } from "../dpop/options.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { Policy } from "../policies/policy.js";
import { runPolicies } from "../policies/run-policies.js";
import { resolveAdapterOptions, type AuthOptions } from "./adapter-options.js";
import { canonicalPolicyPath } from "./canonical-path.js";
import { requestCounter } from "../telemetry/meter.js";
import { dpopProofOf, extractCredential, misplacedToken, type Credential } from "./extract-token.js";
import { observe, refusalDetails, refusedFor } from "./hooks.js";
import { describeFailure, type AuthFailure } from "./refusal.js";
import { RequestView, TokenSourceView, type RequestReader } from "./request-reader.js";
import { routeRequirements, type RouteRequirements } from "./route-options.js";
import { readHeader } from "../request.js";

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
   * to the route's policies; another is authenticated, then both lists run. A route's `dpop` mode
   * replaces the app-wide one there: a request granted earlier without a proof is then
   * authenticated again, under that mode. The hooks (`onAuthenticated`, `onRefused`) and metrics
   * see every outcome.
   *
   * Never throws or rejects. Returns the result itself when nothing had to wait (a cached session,
   * synchronous trust and policies), else a promise of it; `await` takes both.
   */
  authenticate(request: Native, route?: RouteRequirements | readonly Policy[]): AuthResult | Promise<AuthResult>;
  /**
   * Reads a route's arguments (`with(...)`) as {@link routeRequirements} does, and refuses a `dpop`
   * mode without `dpopOptions`: a `TypeError` naming `where`, when the route is declared.
   */
  route(args: readonly unknown[], where: string): RouteRequirements;
  readonly verifier: SessionVerifier;
}

const NO_ROUTE: RouteRequirements = Object.freeze({ policies: Object.freeze([]), optional: undefined, dpop: undefined });
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
  // extractCredential's options, made once: with DPoP (a mode is set) or without.
  const extractOptions = { ...config.extractOptions, dpop: false };
  const extractOptionsWithDpop = { ...config.extractOptions, dpop: true };
  // This instance's mark on a request's holder: another instance may trust more or check less.
  const granted = Symbol("turnkey-session-auth: granted");
  // `proven`: the request carried a valid DPoP proof, so a route requiring one may reuse the grant.
  type Holder = Record<symbol, { readonly request: Native; readonly session: TurnkeySession; readonly proven: boolean } | undefined>;

  // The holder's record names its request, so a holder an app shares between requests hands no session on.
  function grantedEarlier(request: Native, mode: DpopMode | undefined) {
    const record = (reader.holder(request) as Holder)[granted];
    return record?.request !== request || (mode === "required" && !record.proven) ? undefined : record;
  }

  // `fresh`: from this request's own token, not reused from an earlier grant (observed once).
  function grant(request: Native, session: TurnkeySession, fresh: boolean, proven: boolean): AuthResult {
    (reader.holder(request) as Holder)[granted] = { request, session, proven };
    if (fresh) {
      countRequest(1, GRANTED);
      if (onAuthenticated !== undefined) observe(onAuthenticated, session, request);
    }
    return { session };
  }

  function credentialOf(request: Native, mode: DpopMode | undefined): Credential | undefined {
    if (config.getToken !== undefined) {
      // Your own lookup: a token without a scheme, which is not DPoP-bound.
      const token = config.getToken(request) || undefined;
      return token === undefined ? undefined : { token, scheme: "Bearer" };
    }
    return extractCredential(new TokenSourceView(request, reader), mode === undefined ? extractOptions : extractOptionsWithDpop);
  }

  // `view` exists whenever there are policies (see authenticate). A refusal remembers its session, for onRefused.
  function authorize(request: Native, session: TurnkeySession, checks: readonly Policy[], view: RequestView<Native> | undefined, fresh: boolean, proven: boolean) {
    let pending: void | Promise<void>;
    try {
      pending = checks.length === 0 ? undefined : runPolicies(checks, { session, request: view! }, policyTimeout);
    } catch (error) {
      throw refusedFor(error, session);
    }
    if (pending === undefined) return grant(request, session, fresh, proven);
    return pending.then(() => grant(request, session, fresh, proven), (error: unknown) => { throw refusedFor(error, session); });
  }

  function fail(thrown: unknown, request: Native, scheme?: TurnkeyAuthScheme): AuthResult {
    const failure = describeFailure(thrown, config.realm, config.forwardErrors, scheme);
    countRequest(1, { outcome: "refused", code: failure.error.code });
    if (onRefused !== undefined) observe(onRefused, failure.error, request, refusalDetails(thrown, failure.error));
    return { failure };
  }

  function missingToken(request: Native): TurnkeyAuthError {
    const found = config.getToken === undefined ? misplacedToken(new TokenSourceView(request, reader), config.extractOptions) : undefined;
    return new TurnkeyAuthError("missing_token", found === undefined ? "No session token was presented" : `No session token was presented: ${found}`);
  }

  type Seen = { scheme?: Credential["scheme"] };

  // RFC 9449 §7.1: the challenge names DPoP wherever it is accepted; both schemes to a request
  // that sent neither where either would do.
  function schemeOf(mode: DpopMode | undefined, presented: Credential["scheme"] | undefined): TurnkeyAuthScheme | undefined {
    if (mode === undefined) return undefined;
    if (mode === "required" || presented === "DPoP") return "DPoP";
    return presented === undefined ? "Bearer DPoP" : "Bearer";
  }

  // A refusal whose challenge names the schemes this request's mode accepts.
  function refuse(thrown: unknown, request: Native, mode: DpopMode | undefined, seen: Seen | undefined): AuthResult {
    return fail(thrown, request, seen === undefined ? undefined : schemeOf(mode, seen.scheme));
  }

  // The session of a DPoP-bound token: the proof's cheap checks before the token's signature, the
  // proof's signature and replay check once the session (and so its key) is known.
  function provenSession(request: Native, token: string): Promise<TurnkeySession> {
    const source = new TokenSourceView(request, reader);
    const host = readHeader(source.headers, "host");
    const checker = config.dpopChecker!;
    const proof = checker.precheck({
      proof: dpopProofOf(source),
      method: reader.method(request),
      target: reader.target(request),
      host: typeof host === "string" ? host : undefined,
    });
    const session = verifier.cached(token) ?? verifier.verify(token);
    return Promise.resolve(session).then((known) => checker.verify(proof, token, known).then(() => known));
  }

  // The session this authenticator granted earlier in the request (then only the route's policies
  // run), or the session of the request's own token (then all of them).
  function authenticated(request: Native, route: RouteRequirements | undefined, mode: DpopMode | undefined, seen: Seen | undefined, view: RequestView<Native> | undefined) {
    const routePolicies = (route ?? NO_ROUTE).policies;
    const earlier = route === undefined ? undefined : grantedEarlier(request, mode);
    if (earlier !== undefined) return authorize(request, earlier.session, routePolicies, view, false, earlier.proven);
    const credential = credentialOf(request, mode);
    if (credential === undefined) {
      // An anonymous request may pass the middleware, never a route's own policies (those judge a
      // session) unless the route says so.
      if (route?.optional ?? (config.optional && routePolicies.length === 0)) {
        countRequest(1, PASSED_ANONYMOUS);
        return ANONYMOUS;
      }
      throw missingToken(request);
    }
    const { token, scheme } = credential;
    if (seen !== undefined) seen.scheme = scheme;
    // No downgrade (RFC 9449 §7.2): where a proof is required, a token without one is refused.
    if (mode === "required" && scheme !== "DPoP") throw new TurnkeyAuthError("dpop_required", "This resource requires a DPoP-bound request");
    const checks = routePolicies.length === 0 ? policies : policies.length === 0 ? routePolicies : [...policies, ...routePolicies];
    if (scheme === "DPoP") return provenSession(request, token).then((session) => authorize(request, session, checks, view, true, true));
    const known = verifier.cached(token);
    if (known !== undefined) return authorize(request, known, checks, view, true, false);
    return Promise.resolve(verifier.verify(token)).then((session) => authorize(request, session, checks, view, true, false));
  }

  function authenticate(request: Native, routeInput?: RouteRequirements | readonly Policy[]): AuthResult | Promise<AuthResult> {
    const route = Array.isArray(routeInput) ? { policies: routeInput as readonly Policy[], optional: undefined, dpop: undefined } : (routeInput as RouteRequirements | undefined);
    const mode = route?.dpop ?? config.dpop;
    // Where DPoP is in use, the challenge depends on the scheme the request used.
    const seen: Seen | undefined = mode === undefined ? undefined : {};
    let outcome: AuthResult | Promise<AuthResult>;
    try {
      // Policies compare request.path: a target that could be read as another path is refused
      // (400 invalid_request) before anything else, whatever the token.
      const view = policies.length > 0 || (route !== undefined && route.policies.length > 0)
        ? new RequestView(request, reader, canonicalPolicyPath(reader.target(request), config.pathMatching))
        : undefined;
      outcome = authenticated(request, route, mode, seen, view);
    } catch (error) {
      return refuse(error, request, mode, seen);
    }
    return outcome instanceof Promise ? outcome.catch((error: unknown) => refuse(error, request, mode, seen)) : outcome;
  }

  function route(args: readonly unknown[], where: string): RouteRequirements {
    const requirements = routeRequirements(args, where);
    if (requirements.dpop !== undefined && config.dpopChecker === undefined) {
      throw new TypeError('turnkey-session-auth: a route with "dpop" needs the adapter option "dpopOptions" (or "dpop")');
    }
    return requirements;
  }

  return { authenticate, route, verifier };
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

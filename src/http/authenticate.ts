import { TurnkeyAuthError, type TurnkeyAuthScheme } from "../errors.js";
import type { DpopMode } from "../dpop/options.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { Policy } from "../policies/policy.js";
import { runPolicies } from "../policies/run-policies.js";
import { resolveAdapterOptions, type AuthOptions } from "./adapter-options.js";
import { canonicalPolicyPath } from "./canonical-path.js";
import { dpopProofOf, extractCredential, type Credential } from "./extract-token.js";
import { describeFailure, type AuthFailure } from "./refusal.js";
import { RequestView, type RequestReader } from "./request-reader.js";
import { routeArguments, type RouteArguments, type RouteOptions } from "./route-options.js";
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
   * (`verifier.cached`, else `verifier.verify`), then the configured policies. With `route` (the
   * policies of one route, e.g. `with(...)`), a request this authenticator already granted skips
   * straight to them; another is authenticated, then both lists run. `routeOptions` (validated by
   * `routeOptions()` when the route is declared) may set the route's DPoP mode: a request granted
   * earlier without a proof is then authenticated again, under that mode.
   *
   * Never throws or rejects. Returns the result itself when nothing had to wait (a cached session,
   * synchronous trust and policies), else a promise of it; `await` takes both.
   */
  authenticate(request: Native, route?: readonly Policy[], routeOptions?: RouteOptions): AuthResult | Promise<AuthResult>;
  /**
   * Reads a route's arguments (`with(...)`): an optional {@link RouteOptions} object, then policies.
   * Throws a `TypeError` (with `problem`) when the route is declared, not when it is requested.
   */
  route(args: readonly unknown[], problem: string): RouteArguments;
  readonly verifier: SessionVerifier;
}

const NO_POLICIES: readonly Policy[] = Object.freeze([]);
const ANONYMOUS: AuthResult = Object.freeze({ session: undefined });

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
  const { verifier, policies, policyTimeout } = config;
  // This instance's mark on a request's holder: another instance may trust more or check less.
  const granted = Symbol("turnkey-session-auth: granted");
  // `proven`: the request carried a valid DPoP proof, so a route requiring one may reuse the grant.
  type Holder = Record<symbol, { readonly request: Native; readonly session: TurnkeySession; readonly proven: boolean } | undefined>;

  // The holder's record names its request, so a holder an app shares between requests hands no session on.
  function grantedEarlier(request: Native, mode: DpopMode | undefined) {
    const record = (reader.holder(request) as Holder)[granted];
    return record?.request !== request || (mode === "required" && !record.proven) ? undefined : record;
  }

  function grant(request: Native, session: TurnkeySession, proven: boolean): AuthResult {
    (reader.holder(request) as Holder)[granted] = { request, session, proven };
    return { session };
  }

  function credentialOf(request: Native, mode: DpopMode | undefined): Credential | undefined {
    if (config.getToken !== undefined) {
      // Your own lookup: a token without a scheme, which is not DPoP-bound.
      const token = config.getToken(request) || undefined;
      return token === undefined ? undefined : { token, scheme: "Bearer" };
    }
    const rawHeaders = reader.rawHeaders?.(request);
    return extractCredential({ headers: reader.headers(request), rawHeaders }, { ...config.extractOptions, dpop: mode !== undefined });
  }

  // `view` exists whenever there are policies (see authenticate).
  function authorize(request: Native, session: TurnkeySession, checks: readonly Policy[], view: RequestView<Native> | undefined, proven: boolean) {
    const pending = checks.length === 0 ? undefined : runPolicies(checks, { session, request: view! }, policyTimeout);
    return pending === undefined ? grant(request, session, proven) : pending.then(() => grant(request, session, proven));
  }

  type Seen = { scheme?: Credential["scheme"] };
  const failBearer = (error: unknown): AuthResult => ({ failure: describeFailure(error, config.realm, config.forwardErrors) });

  // RFC 9449 §7.1: the challenge names DPoP wherever it is accepted; both schemes to a request
  // that sent neither where either would do.
  function schemeOf(mode: DpopMode | undefined, presented: Credential["scheme"] | undefined): TurnkeyAuthScheme | undefined {
    if (mode === undefined) return undefined;
    if (mode === "required" || presented === "DPoP") return "DPoP";
    return presented === undefined ? "Bearer DPoP" : "Bearer";
  }

  // The session of a DPoP-bound token: the proof's cheap checks before the token's signature, the
  // proof's signature and replay check once the session (and so its key) is known.
  function provenSession(request: Native, token: string): Promise<TurnkeySession> {
    const headers = reader.headers(request);
    const host = readHeader(headers, "host");
    const checker = config.dpopChecker!;
    const proof = checker.precheck({
      proof: dpopProofOf({ headers, rawHeaders: reader.rawHeaders?.(request) }),
      method: reader.method(request),
      target: reader.target(request),
      host: typeof host === "string" ? host : undefined,
    });
    const session = verifier.cached(token) ?? verifier.verify(token);
    return Promise.resolve(session).then((known) => checker.verify(proof, token, known).then(() => known));
  }

  // The session this authenticator granted earlier in the request (then only the route's policies
  // run), or the session of the request's own token (then all of them).
  function authenticated(request: Native, route: readonly Policy[] | undefined, mode: DpopMode | undefined, seen: Seen | undefined, view: RequestView<Native> | undefined) {
    const routePolicies = route ?? NO_POLICIES;
    const earlier = route === undefined ? undefined : grantedEarlier(request, mode);
    if (earlier !== undefined) return authorize(request, earlier.session, routePolicies, view, earlier.proven);
    const credential = credentialOf(request, mode);
    if (credential === undefined) {
      // An anonymous request may pass the middleware, never a route's own policies: those judge a session.
      if (config.optional && routePolicies.length === 0) return ANONYMOUS;
      throw new TurnkeyAuthError("missing_token", "No session token was presented");
    }
    const { token, scheme } = credential;
    if (seen !== undefined) seen.scheme = scheme;
    // No downgrade (RFC 9449 §7.2): where a proof is required, a token without one is refused.
    if (mode === "required" && scheme !== "DPoP") throw new TurnkeyAuthError("dpop_required", "This resource requires a DPoP-bound request");
    const checks = routePolicies.length === 0 ? policies : policies.length === 0 ? routePolicies : [...policies, ...routePolicies];
    if (scheme === "DPoP") return provenSession(request, token).then((session) => authorize(request, session, checks, view, true));
    const known = verifier.cached(token);
    if (known !== undefined) return authorize(request, known, checks, view, false);
    return Promise.resolve(verifier.verify(token)).then((session) => authorize(request, session, checks, view, false));
  }

  function authenticate(request: Native, route?: readonly Policy[], routeOptions?: RouteOptions): AuthResult | Promise<AuthResult> {
    const mode = routeOptions?.dpop ?? config.dpop;
    // Where DPoP is in use, the challenge depends on the scheme the request used.
    const seen: Seen | undefined = mode === undefined ? undefined : {};
    const fail = seen === undefined ? failBearer : (error: unknown): AuthResult => ({ failure: describeFailure(error, config.realm, config.forwardErrors, schemeOf(mode, seen.scheme)) });
    try {
      // Policies compare request.path: a target that could be read as another path is refused
      // (400 invalid_request) before anything else, whatever the token.
      const view = policies.length > 0 || (route !== undefined && route.length > 0)
        ? new RequestView(request, reader, canonicalPolicyPath(reader.target(request), config.pathMatching))
        : undefined;
      const outcome = authenticated(request, routeOptions === undefined ? route : (route ?? NO_POLICIES), mode, seen, view);
      return outcome instanceof Promise ? outcome.catch(fail) : outcome;
    } catch (error) {
      return fail(error);
    }
  }

  function route(args: readonly unknown[], problem: string): RouteArguments {
    const parsed = routeArguments(args, problem);
    if (parsed.options?.dpop !== undefined && config.dpopChecker === undefined) {
      throw new TypeError('turnkey-session-auth: a route with "dpop" needs the adapter option "dpopOptions" (or "dpop")');
    }
    return parsed;
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

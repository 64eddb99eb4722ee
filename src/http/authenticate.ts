import { TurnkeyAuthError } from "../errors.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { Policy } from "../policies/policy.js";
import { runPolicies } from "../policies/run-policies.js";
import { resolveAdapterOptions, type AuthOptions } from "./adapter-options.js";
import { canonicalPolicyPath } from "./canonical-path.js";
import { extractToken } from "./extract-token.js";
import { describeFailure, type AuthFailure } from "./refusal.js";
import { RequestView, type RequestReader } from "./request-reader.js";

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
   * straight to them; another is authenticated, then both lists run.
   *
   * Never throws or rejects. Returns the result itself when nothing had to wait (a cached session,
   * synchronous trust and policies), else a promise of it; `await` takes both.
   */
  authenticate(request: Native, route?: readonly Policy[]): AuthResult | Promise<AuthResult>;
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
  type Holder = Record<symbol, { readonly request: Native; readonly session: TurnkeySession } | undefined>;

  // The holder's record names its request, so a holder an app shares between requests hands no session on.
  function grantedEarlier(request: Native): TurnkeySession | undefined {
    const record = (reader.holder(request) as Holder)[granted];
    return record?.request === request ? record.session : undefined;
  }

  function grant(request: Native, session: TurnkeySession): AuthResult {
    (reader.holder(request) as Holder)[granted] = { request, session };
    return { session };
  }

  function tokenOf(request: Native): string | undefined {
    if (config.getToken !== undefined) return config.getToken(request) || undefined;
    const rawHeaders = reader.rawHeaders?.(request);
    return extractToken({ headers: reader.headers(request), rawHeaders }, config.extractOptions);
  }

  // `view` exists whenever there are policies (see authenticate).
  function authorize(request: Native, session: TurnkeySession, checks: readonly Policy[], view: RequestView<Native> | undefined) {
    const pending = checks.length === 0 ? undefined : runPolicies(checks, { session, request: view! }, policyTimeout);
    return pending === undefined ? grant(request, session) : pending.then(() => grant(request, session));
  }

  const fail = (error: unknown): AuthResult => ({ failure: describeFailure(error, config.realm, config.forwardErrors) });

  // The session this authenticator granted earlier in the request (then only the route's policies
  // run), or the session of the request's own token (then all of them).
  function authenticated(request: Native, route: readonly Policy[] | undefined, view: RequestView<Native> | undefined) {
    const routePolicies = route ?? NO_POLICIES;
    const earlier = route === undefined ? undefined : grantedEarlier(request);
    if (earlier !== undefined) return authorize(request, earlier, routePolicies, view);
    const token = tokenOf(request);
    if (token === undefined) {
      // An anonymous request may pass the middleware, never a route's own policies: those judge a session.
      if (config.optional && routePolicies.length === 0) return ANONYMOUS;
      throw new TurnkeyAuthError("missing_token", "No session token was presented");
    }
    const checks = routePolicies.length === 0 ? policies : policies.length === 0 ? routePolicies : [...policies, ...routePolicies];
    const known = verifier.cached(token);
    if (known !== undefined) return authorize(request, known, checks, view);
    return Promise.resolve(verifier.verify(token)).then((session) => authorize(request, session, checks, view));
  }

  function authenticate(request: Native, route?: readonly Policy[]): AuthResult | Promise<AuthResult> {
    try {
      // Policies compare request.path: a target that could be read as another path is refused
      // (400 invalid_request) before anything else, whatever the token.
      const view = policies.length > 0 || (route !== undefined && route.length > 0)
        ? new RequestView(request, reader, canonicalPolicyPath(reader.target(request), config.pathMatching))
        : undefined;
      const outcome = authenticated(request, route, view);
      return outcome instanceof Promise ? outcome.catch(fail) : outcome;
    } catch (error) {
      return fail(error);
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

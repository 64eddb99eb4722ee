import type { PathMatching } from "./path-matching.js";
import { TurnkeyAuthError, formatWwwAuthenticate, isTurnkeyAuthError, type TurnkeyAuthErrorCode, type TurnkeyAuthErrorStatus } from "../errors.js";
import { authorizationHeader, bearerCredentialOf, extractToken, isB64Token, malformedBearer, tokenFromCookie } from "./extract-token.js";
import { policyList, type Policy, type PolicyContext } from "../policies/policy.js";
import { runPolicies } from "../policies/run-policies.js";
import { resolveTo } from "../promises.js";
import type { RequestLike } from "./request.js";
import type { TurnkeySession } from "../jwt/claims.js";
import { createSessionVerifier, isLibraryVerifier, sessionOfAuthorization, synchronousVerify, type SessionOrPending, type SessionVerifier } from "../jwt/verifier.js";
import type { VerifyOptions } from "../jwt/options.js";

/**
 * Options shared by every adapter (`turnkey-session-auth/express`, `/fastify`, `/koa`, `/hono`):
 * every {@link VerifyOptions} field, or a ready `verifier`, plus what to do with the request.
 * `Native` is the framework's request type, handed to `getToken`.
 *
 * @example
 * ```ts
 * const options: AuthOptions<express.Request> = {
 *   trustedOrganizations: ["org-id"],
 *   policies: [requireReadWrite()],
 *   cookieName: "turnkey_session",
 * };
 * ```
 */
export type AuthOptions<Native = unknown> = (VerifyOptions | ({ verifier: SessionVerifier } & Partial<VerifyOptions>)) & {
  /** A verifier to share between middlewares (one key import, one cache). Overrides the verify options. */
  verifier?: SessionVerifier;
  /** Authorization rules run, in order, after authentication. */
  policies?: readonly Policy[];
  /** A request without a token passes with no session; a present but invalid token still fails. */
  optional?: boolean;
  /** Finds the token yourself (return `undefined` for none). Default: Bearer header, then `cookieName`. */
  getToken?: (request: Native) => string | undefined;
  /** Read the token from this cookie when there is no `Authorization: Bearer` header. */
  cookieName?: string;
  /** The RFC 6750 realm in `WWW-Authenticate`. Default `"turnkey"`. */
  realm?: string;
  /** Milliseconds an asynchronous policy may take before the request is refused (503). Default 5000. */
  policyTimeout?: number;
  /** Hand every failure to the framework's error path instead of answering it. Default `false`. */
  forwardErrors?: boolean;
  /**
   * How your router compares paths, where it differs from the framework's default that the adapter
   * assumes (e.g. a @koa/router made with `sensitive: true`): policies then see `request.path` as
   * the router matched it. Fastify's own settings are read from the instance. Read by the adapters;
   * with `createAuthenticator` alone, `request.path` is the caller's to compute.
   */
  pathMatching?: Partial<PathMatching>;
};

/** A refused request, ready for an adapter to answer or to hand to its framework's error path. */
export interface AuthFailure {
  readonly error: TurnkeyAuthError;
  readonly status: TurnkeyAuthErrorStatus;
  /** `WWW-Authenticate` (RFC 6750 §3) unless the status is 503. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: TurnkeyAuthErrorCode; readonly message: string };
  /**
   * `true` when the framework's error path should handle it: `forwardErrors` was set, or a
   * policy or trust resolver threw something unexpected (a bug to log, not a credential problem).
   */
  readonly forward: boolean;
}

/** The outcome of {@link Authenticator.authenticate}. */
export type AuthResult =
  | { readonly session: TurnkeySession | undefined; readonly failure?: undefined }
  | { readonly session?: undefined; readonly failure: AuthFailure };

/**
 * The framework-free engine behind every adapter: extracts the token, verifies it, runs the
 * policies, and describes the failure. Adapters only translate requests and results.
 *
 * @example
 * ```ts
 * const authenticator = createAuthenticator<Request>({ trustedOrganizations: "any" });
 * const result = await authenticator.authenticate(requestLike, nativeRequest);
 * ```
 */
export interface Authenticator<Native = unknown> {
  /**
   * Authenticates `request` and runs the configured policies, then `extraPolicies`. With
   * `existing` (a session an earlier middleware attached) it skips straight to `extraPolicies`.
   *
   * Never throws or rejects. Returns the result itself, not a promise, when nothing had to wait
   * (a cached session, synchronous trust and policies): the normal request of a live session, which
   * an adapter then passes on without a microtask hop. `await` accepts both.
   */
  authenticate(
    request: RequestLike,
    native: Native,
    extraPolicies?: readonly Policy[],
    existing?: TurnkeySession,
  ): AuthResult | Promise<AuthResult>;
  readonly verifier: SessionVerifier;
}

const DEFAULT_POLICY_TIMEOUT_MS = 5000;
const NO_POLICIES: readonly Policy[] = Object.freeze([]);
const ANONYMOUS: AuthResult = Object.freeze({ session: undefined });

function resolveAdapterOptions<Native>(options: AuthOptions<Native>) {
  if (typeof options !== "object" || options === null) throw new TypeError("turnkey-session-auth: options must be an object");
  const { verifier, getToken, cookieName, realm = "turnkey", policyTimeout = DEFAULT_POLICY_TIMEOUT_MS } = options;
  if (verifier !== undefined && typeof verifier?.verify !== "function") {
    throw new TypeError('turnkey-session-auth: option "verifier" must come from createSessionVerifier()');
  }
  if (getToken !== undefined && typeof getToken !== "function") throw new TypeError('turnkey-session-auth: option "getToken" must be a function');
  // Every adapter's own option, with a framework-specific signature: checked here once.
  const { onError } = options as { onError?: unknown };
  if (onError !== undefined && typeof onError !== "function") throw new TypeError('turnkey-session-auth: option "onError" must be a function');
  if (cookieName !== undefined && (typeof cookieName !== "string" || !/^[!#-'*+.0-9A-Z^-z|~-]+$/.test(cookieName))) {
    throw new TypeError('turnkey-session-auth: option "cookieName" must be a cookie name (RFC 6265 token)');
  }
  if (typeof realm !== "string" || realm.length === 0) throw new TypeError('turnkey-session-auth: option "realm" must be a non-empty string');
  if (!(Number.isInteger(policyTimeout) && policyTimeout >= 1 && policyTimeout <= 600_000)) {
    throw new TypeError('turnkey-session-auth: option "policyTimeout" must be a whole number of milliseconds from 1 to 600000');
  }
  return {
    verifier: verifier ?? createSessionVerifier(options as VerifyOptions),
    policies: options.policies === undefined ? NO_POLICIES : policyList(options.policies, 'option "policies" must be an array of policy functions'),
    optional: options.optional === true,
    forwardErrors: options.forwardErrors === true,
    extractOptions: cookieName === undefined ? {} : { cookieName },
    getToken,
    realm,
    policyTimeout,
  };
}

/**
 * Describes a refusal for an HTTP answer: status, RFC 6750 `WWW-Authenticate`, and the JSON body
 * `{ error, message }`. Anything that is not a {@link TurnkeyAuthError} becomes `unavailable`
 * (fail closed) and is marked for the framework's error path.
 *
 * @example
 * ```ts
 * const failure = describeFailure(error, "my-api", false);
 * res.status(failure.status).set(failure.headers).json(failure.body);
 * ```
 */
export function describeFailure(thrown: unknown, realm: string, forwardErrors: boolean): AuthFailure {
  const error = isTurnkeyAuthError(thrown)
    ? thrown
    : new TurnkeyAuthError("unavailable", "The request could not be authorized", { cause: thrown });
  const challenge = formatWwwAuthenticate(error, realm);
  const unexpected = error.code === "unavailable" && error.cause !== undefined && !isTurnkeyAuthError(error.cause);
  return {
    error,
    status: error.status,
    headers: challenge === undefined ? {} : { "www-authenticate": challenge },
    body: { error: error.code, message: error.message },
    forward: forwardErrors || unexpected,
  };
}

/**
 * Policies judge `request.path`, which adapters compute with `canonicalPolicyPath`: reading it
 * throws `invalid_request` for a target that layers could read as different paths. Read here, where
 * policies will run, so such a request is refused (400) before any policy or token check.
 */
function refuseAmbiguousTarget(request: RequestLike): void {
  if (typeof request.path !== "string") throw new TypeError("turnkey-session-auth: request.path must be a string");
}

function asBearerRefusal(token: string, error: unknown): unknown {
  return isB64Token(token) ? error : malformedBearer();
}

// Apart from verifyBearer, so that its closure is created only on this (slow) path.
function settleBearer(token: string, pending: Promise<TurnkeySession>): Promise<TurnkeySession> {
  return pending.catch((error: unknown) => {
    throw asBearerRefusal(token, error);
  });
}

/**
 * Calls `answer(result, a, b, c)` with an {@link Authenticator.authenticate} result: at once when
 * it is a result, on settlement when it is a promise (which never rejects). How adapters keep a
 * cached session free of microtask hops; the arguments are passed, not captured, so the
 * synchronous path allocates no closure.
 *
 * @example
 * ```ts
 * const hook = (request, reply, done) =>
 *   whenAuthenticated(authenticator.authenticate(view, request), answer, request, reply, done);
 * ```
 */
export function whenAuthenticated<A, B, C, T>(
  result: AuthResult | Promise<AuthResult>,
  answer: (result: AuthResult, a: A, b: B, c: C) => T,
  a: A,
  b: B,
  c?: C,
): T | Promise<T> {
  return result instanceof Promise ? answerLater(result, answer, a, b, c as C) : answer(result, a, b, c as C);
}

/**
 * Checks the argument of an adapter's `protect(handler)` where the route is defined: a `TypeError`
 * at start-up, never at request time. One check for every adapter that offers `protect()`.
 *
 * @example
 * ```ts
 * protect: (handler) => { const checked = protectedHandler(handler); return (c, next) => run(c, next, undefined, checked); }
 * ```
 */
export function protectedHandler<H>(handler: H): H {
  if (typeof handler !== "function") throw new TypeError("turnkey-session-auth: protect() takes a handler function");
  return handler;
}

function answerLater<A, B, C, T>(pending: Promise<AuthResult>, answer: (result: AuthResult, a: A, b: B, c: C) => T, a: A, b: B, c: C): Promise<T> {
  return pending.then((result) => answer(result, a, b, c));
}

/**
 * Creates the {@link Authenticator} an adapter wraps. Validates every option now: a bad value
 * throws a `TypeError` naming it, before the app serves a request.
 *
 * @example
 * ```ts
 * const authenticator = createAuthenticator<FastifyRequest>({ trustedOrganizations: ["org-id"], optional: true });
 * ```
 */
export function createAuthenticator<Native>(options: AuthOptions<Native>): Authenticator<Native> {
  const config = resolveAdapterOptions(options);
  const { verifier, policies, policyTimeout } = config;
  // This library's verifier accepts only base64url JWS (a subset of RFC 6750's b64token), so a
  // Bearer credential goes to it unchecked and its characters are checked only when it is
  // refused, to answer exactly as extractToken would: a request with a cached session skips a
  // scan of its ~400-character header. Any other verifier gets extractToken's checked token.
  const deferCharacterCheck = isLibraryVerifier(verifier);

  const verifyNow = synchronousVerify(verifier);
  // The normal request of a known session: its Authorization value, as received, is the one its
  // session was last verified from (see sessionOfAuthorization in verifier.ts).
  const knownSession = deferCharacterCheck ? sessionOfAuthorization(verifier) : undefined;
  const { cookieName } = config.extractOptions;
  const fail = (error: unknown): AuthResult => ({ failure: describeFailure(error, config.realm, config.forwardErrors) });

  // A token from getToken, extractToken or the cookie; none (or an empty one) is `undefined`.
  function verifyToken(token: string | undefined): SessionOrPending | undefined {
    return token === undefined || token === "" ? undefined : verifyNow(token);
  }

  // A Bearer credential read from `authorization`, its characters not checked (see
  // deferCharacterCheck): a refusal is reported as extractToken would have reported it.
  function verifyBearer(token: string, authorization: string): SessionOrPending {
    let session: SessionOrPending;
    try {
      session = verifyNow(token, authorization);
    } catch (error) {
      throw asBearerRefusal(token, error);
    }
    return session instanceof Promise ? settleBearer(token, session) : session;
  }

  // The session of the credential the request presents, or `undefined` when it presents none.
  function sessionOfRequest(request: RequestLike, native: Native): SessionOrPending | undefined {
    if (config.getToken !== undefined) return verifyToken(config.getToken(native));
    if (!deferCharacterCheck) return verifyToken(extractToken(request, config.extractOptions));
    const authorization = authorizationHeader(request);
    if (authorization !== undefined) {
      const known = knownSession?.(authorization);
      if (known !== undefined) return known;
      const token = bearerCredentialOf(authorization);
      if (token !== undefined) return verifyBearer(token, authorization);
    }
    return cookieName === undefined ? undefined : verifyToken(tokenFromCookie(request, cookieName));
  }

  // The configured policies, then the route's: each step waits only if it returned a promise.
  function authorize(session: TurnkeySession, request: RequestLike, extraPolicies: readonly Policy[]): AuthResult | Promise<AuthResult> {
    if (policies.length === 0) return authorizeRoute(session, request, extraPolicies);
    const pending = runPolicies(policies, { session, request }, policyTimeout);
    if (pending === undefined) return authorizeRoute(session, request, extraPolicies);
    return thenAuthorizeRoute(pending, session, request, extraPolicies);
  }

  // Closures live in these helpers, so the synchronous path allocates none (V8 creates a function's
  // captured variables on every call, whichever branch runs).
  function thenAuthorizeRoute(pending: Promise<void>, session: TurnkeySession, request: RequestLike, extraPolicies: readonly Policy[]) {
    return pending.then(() => authorizeRoute(session, request, extraPolicies));
  }

  function thenAuthorize(pending: Promise<TurnkeySession>, request: RequestLike, extraPolicies: readonly Policy[]) {
    return pending.then((session) => authorize(session, request, extraPolicies));
  }

  function authorizeRoute(session: TurnkeySession, request: RequestLike, extraPolicies: readonly Policy[]): AuthResult | Promise<AuthResult> {
    const result: AuthResult = { session };
    if (extraPolicies.length === 0) return result;
    const pending = runPolicies(extraPolicies, { session, request }, policyTimeout);
    return pending === undefined ? result : resolveTo(pending, result);
  }

  function authenticate(
    request: RequestLike,
    native: Native,
    extraPolicies: readonly Policy[] = NO_POLICIES,
    existing?: TurnkeySession,
  ): AuthResult | Promise<AuthResult> {
    try {
      if (policies.length > 0 || extraPolicies.length > 0) refuseAmbiguousTarget(request);
      let outcome: AuthResult | Promise<AuthResult>;
      if (existing !== undefined) {
        outcome = authorizeRoute(existing, request, extraPolicies);
      } else {
        const session = sessionOfRequest(request, native);
        if (session === undefined) {
          // Optional mode lets anonymous requests through, but not past a route's own policies:
          // those need a session to judge.
          if (config.optional && extraPolicies.length === 0) return ANONYMOUS;
          throw new TurnkeyAuthError("missing_token", "No session token was presented");
        }
        outcome = session instanceof Promise ? thenAuthorize(session, request, extraPolicies) : authorize(session, request, extraPolicies);
      }
      return outcome instanceof Promise ? outcome.catch(fail) : outcome;
    } catch (error) {
      return fail(error);
    }
  }

  return { authenticate, verifier };
}

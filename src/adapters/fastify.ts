import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from "fastify";
import fastifyPlugin from "fastify-plugin";
import { createAuthenticator, whenAuthenticated, type AuthOptions, type AuthResult } from "../http/authenticate.js";
import { policyList } from "../policies/policy.js";
import { isThenable } from "../promises.js";
import { canonicalPolicyPath } from "../http/canonical-path.js";
import { resolvePathMatching, type PathMatching } from "../http/path-matching.js";
import type { Policy, RequestLike, SessionVerifier, TurnkeyAuthError, TurnkeySession } from "../index.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified session; `null` when no hook authenticated the request (or `optional` let it in). */
    turnkey: TurnkeySession | null;
  }
  interface FastifyInstance {
    turnkey: {
      /** An `onRequest`/`preHandler` hook: authenticates (or reuses the global hook's session), then runs `policies`. */
      authenticate(policies?: readonly Policy[]): onRequestHookHandler;
      readonly verifier: SessionVerifier;
    };
  }
}

/**
 * The shared adapter options; `global` authenticates every route in an `onRequest` hook; `onError`
 * answers a refusal yourself and must send the reply (the route never runs after a refusal).
 * @example
 * ```ts
 * await app.register(turnkeyAuth, { trustedOrganizations: ["org-id"], global: true });
 * ```
 */
export type FastifyTurnkeyAuthOptions = AuthOptions<FastifyRequest> & {
  global?: boolean;
  onError?: (error: TurnkeyAuthError, request: FastifyRequest, reply: FastifyReply) => unknown;
};

/**
 * How this instance's router (find-my-way) compares paths, from the settings Fastify exposes. A
 * setting counts if it is on either as a router option or as its deprecated top-level form:
 * `initialConfig` fills in both, so which one the router took is not visible.
 */
function fastifyMatching(fastify: FastifyInstance): PathMatching {
  const config = fastify.initialConfig as Readonly<Record<string, unknown>> & { routerOptions?: Readonly<Record<string, unknown>> };
  const router = config.routerOptions ?? {};
  const either = (name: string) => config[name] === true || router[name] === true;
  return {
    caseSensitive: config.caseSensitive !== false && router.caseSensitive !== false,
    strict: !either("ignoreTrailingSlash"),
    mergeSlashes: either("ignoreDuplicateSlashes"),
    semicolonEndsPath: either("useSemicolonDelimiter"),
  };
}

// Read lazily: `request.url` is the target the router was given (after any `rewriteUrl`).
class FastifyRequestView implements RequestLike {
  private canonicalPath: string | undefined;
  constructor(private readonly request: FastifyRequest, private readonly matching: PathMatching) {}
  get method() { return this.request.method; }
  get path() { return (this.canonicalPath ??= canonicalPolicyPath(this.request.url, this.matching)); }
  get params() { return this.request.params as Readonly<Record<string, string | undefined>>; }
  get query() { return this.request.query as Readonly<Record<string, unknown>>; }
  get headers() { return this.request.headers; }
  get rawHeaders() { return this.request.raw.rawHeaders; }
}

const plugin: FastifyPluginAsync<FastifyTurnkeyAuthOptions> = async (fastify, options) => {
  const authenticator = createAuthenticator<FastifyRequest>(options);
  const matching = resolvePathMatching(options.pathMatching, fastifyMatching(fastify));
  const { onError } = options;

  // Callback style, so a cached session continues the lifecycle at once; a refusal that is
  // answered here never calls `done`, so the route does not run (Fastify "Respond to a request from a hook").
  function answer({ session, failure }: AuthResult, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): unknown {
    if (failure === undefined) {
      if (session !== undefined) request.turnkey = session;
      return done();
    }
    if (failure.forward) return done(failure.error); // to setErrorHandler; the error carries `statusCode`
    if (onError !== undefined) return onError(failure.error, request, reply);
    reply.code(failure.status).headers(failure.headers).send(failure.body);
  }

  // A route's hook reuses the session the global hook verified, and adds its policies.
  const hook = (isRouteHook: boolean, extra?: readonly Policy[]): onRequestHookHandler => (request, reply, done) => {
    const existing = isRouteHook ? (request.turnkey ?? undefined) : undefined;
    const answered = whenAuthenticated(authenticator.authenticate(new FastifyRequestView(request, matching), request, extra, existing), answer, request, reply, done);
    if (isThenable(answered)) Promise.resolve(answered).catch(done); // a failure of onError, or after a wait
  };

  fastify.decorateRequest("turnkey", null);
  fastify.decorate("turnkey", {
    authenticate(policies?: readonly Policy[]): onRequestHookHandler {
      return hook(true, policies && policyList(policies, "authenticate() takes an array of policy functions"));
    },
    verifier: authenticator.verifier,
  });
  if (options.global === true) fastify.addHook("onRequest", hook(false));
};

/**
 * Fastify 5 plugin verifying Turnkey sessions into `request.turnkey`: app-wide with `global: true`,
 * or per route with `onRequest: app.turnkey.authenticate(policies?)`, which also adds route
 * policies on top of the global hook. Refusals get 400/401/403/503 with `WWW-Authenticate` and
 * `{ error, message }`, or are thrown to the error handler with `forwardErrors`.
 * @example
 * ```ts
 * await app.register(turnkeyAuth, { trustedOrganizations: ["org-id"] });
 * app.get("/orgs/:orgId/wallets", { onRequest: app.turnkey.authenticate([organizationFromParam("orgId")]) }, handler);
 * ```
 */
export const turnkeyAuth = fastifyPlugin(plugin, { name: "turnkey-session-auth", fastify: "5.x" });
export default turnkeyAuth;

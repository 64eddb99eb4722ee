import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from "fastify";
import fastifyPlugin from "fastify-plugin";
import type { TurnkeyAuthError } from "../errors.js";
import type { AuthOptions } from "../http/adapter-options.js";
import { createAuthenticator, whenAuthenticated, type AuthResult } from "../http/authenticate.js";
import type { RouteArguments, RouteOptions } from "../http/route-options.js";
import type { RequestReader } from "../http/request-reader.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { Policy } from "../policies/policy.js";
import { isThenable } from "../promises.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified session; `null` when no hook authenticated the request (or `optional` let it in). */
    turnkey: TurnkeySession | null;
  }
  interface FastifyInstance {
    turnkey: {
      /**
       * An `onRequest`/`preHandler` hook: authenticates (or reuses the global hook's session), then
       * runs `policies`; `options.dpop` sets this route's DPoP mode (RFC 9449).
       */
      authenticate(policies?: readonly Policy[], options?: RouteOptions): onRequestHookHandler;
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
 * How this instance reads requests, with its router's (find-my-way) settings. A setting counts if it
 * is on either as a router option or in its deprecated top-level form: `initialConfig` fills in
 * both, so which one the router took is not visible.
 */
function fastifyReader(fastify: FastifyInstance): RequestReader<FastifyRequest> {
  const config = fastify.initialConfig as Readonly<Record<string, unknown>> & { routerOptions?: Readonly<Record<string, unknown>> };
  const router = config.routerOptions ?? {};
  const either = (name: string) => config[name] === true || router[name] === true;
  return {
    pathMatching: {
      caseSensitive: config.caseSensitive !== false && router.caseSensitive !== false,
      strict: !either("ignoreTrailingSlash"),
      mergeSlashes: either("ignoreDuplicateSlashes"),
      semicolonEndsPath: either("useSemicolonDelimiter"),
    },
    method: (request) => request.method,
    target: (request) => request.url, // what the router was given, after any rewriteUrl
    headers: (request) => request.headers,
    rawHeaders: (request) => request.raw.rawHeaders,
    params: (request) => request.params as Readonly<Record<string, string | undefined>>,
    query: (request) => request.query as Readonly<Record<string, unknown>>,
    holder: (request) => request,
  };
}

const plugin: FastifyPluginAsync<FastifyTurnkeyAuthOptions> = async (fastify, options) => {
  const authenticator = createAuthenticator(options, fastifyReader(fastify));
  const { onError } = options;

  // A refusal answered here never calls `done`, so the route does not run (Fastify "Respond to a
  // request from a hook").
  function answer({ session, failure }: AuthResult, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): unknown {
    if (failure === undefined) {
      if (session !== undefined) request.turnkey = session;
      return done();
    }
    if (failure.forward) return done(failure.error); // to setErrorHandler; the error carries `statusCode`
    if (onError !== undefined) return onError(failure.error, request, reply);
    reply.code(failure.status).headers(failure.headers).send(failure.body);
  }

  const hook = (route?: RouteArguments): onRequestHookHandler => (request, reply, done) => {
    const answered = whenAuthenticated(authenticator.authenticate(request, route?.policies, route?.options), (result) => answer(result, request, reply, done));
    if (isThenable(answered)) Promise.resolve(answered).catch(done); // a failure of onError, or after a wait
  };

  fastify.decorateRequest("turnkey", null);
  fastify.decorate("turnkey", {
    authenticate: (policies: readonly Policy[] = [], options?: RouteOptions) => {
      if (!Array.isArray(policies)) throw new TypeError("turnkey-session-auth: authenticate() takes an array of policy functions");
      return hook(authenticator.route(options === undefined ? policies : [options, ...policies], "authenticate() takes an array of policy functions, then route options"));
    },
    verifier: authenticator.verifier,
  });
  if (options.global === true) fastify.addHook("onRequest", hook());
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

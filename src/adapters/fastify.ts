import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from "fastify";
import fastifyPlugin from "fastify-plugin";
import type { TurnkeyAuthError } from "../errors.js";
import type { AuthOptions } from "../http/adapter-options.js";
import { createAuthenticator, whenAuthenticated, type AuthResult } from "../http/authenticate.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import type { RouteOptions, RouteRequirements } from "../http/route-options.js";
import type { Policy } from "../policies/policy.js";
import { isThenable } from "../promises.js";
import { fastifyReader } from "./fastify-reader.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified session; `null` when no hook authenticated the request (or `optional` let it in). */
    turnkey: TurnkeySession | null;
  }
  interface FastifyInstance {
    turnkey: {
      /**
       * An `onRequest`/`preHandler` hook: authenticates (or reuses the global hook's session), then
       * runs the route's policies; `{ optional, policies, dpop }` (or policies, then `{ optional, dpop }`)
       * sets the route's own `optional` and DPoP mode too.
       */
      authenticate(route?: readonly Policy[] | RouteOptions, options?: RouteOptions): onRequestHookHandler;
      readonly verifier: SessionVerifier;
    };
  }
}

/**
 * The shared adapter options; `global` authenticates every route in an `onRequest` hook; `onError`
 * answers a refusal yourself (the route never runs after a refusal). An `onError` that has not
 * sent the reply when it returns (or its promise settles) gets the default answer; to only log
 * refusals, use `onRefused`.
 * @example
 * ```ts
 * await app.register(turnkeyAuth, { trustedOrganizations: ["org-id"], global: true });
 * ```
 */
export type FastifyTurnkeyAuthOptions = AuthOptions<FastifyRequest> & {
  global?: boolean;
  onError?: (error: TurnkeyAuthError, request: FastifyRequest, reply: FastifyReply) => unknown;
};

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
    const answerByDefault = () => void reply.code(failure.status).headers(failure.headers).send(failure.body);
    if (onError === undefined) return answerByDefault();
    const returned = onError(failure.error, request, reply);
    // A reply is itself a thenable (settling once sent): returning it, or having sent, is an answer.
    if (returned === reply || reply.sent) return undefined;
    if (!isThenable(returned)) return answerByDefault();
    return Promise.resolve(returned).then(() => (reply.sent ? undefined : answerByDefault()));
  }

  const hook = (route?: RouteRequirements): onRequestHookHandler => (request, reply, done) => {
    const answered = whenAuthenticated(authenticator.authenticate(request, route), (result) => answer(result, request, reply, done));
    if (isThenable(answered)) Promise.resolve(answered).catch(done); // a failure of onError, or after a wait
  };

  fastify.decorateRequest("turnkey", null);
  fastify.decorate("turnkey", {
    authenticate: (route: readonly Policy[] | RouteOptions = [], routeOptions?: RouteOptions) => {
      // A list of policies (then route options), or one { optional, policies, dpop }.
      const where = "authenticate() takes an array of policy functions (then route options) or { optional, policies, dpop }";
      if (Array.isArray(route)) return hook(authenticator.route(routeOptions === undefined ? route : [routeOptions, ...route], where));
      if (typeof route !== "object" || route === null || routeOptions !== undefined) throw new TypeError(`turnkey-session-auth: ${where}`);
      return hook(authenticator.route([route], where));
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

/**
 * The session `turnkeyAuth` verified for this request. Throws when there is none: no hook
 * authenticated the route, or `optional` let an anonymous request in (read `request.turnkey` on
 * such routes).
 * @example
 * ```ts
 * app.get("/me", { onRequest: app.turnkey.authenticate() }, async (request) => ({ userId: sessionOf(request).userId }));
 * ```
 */
export function sessionOf(request: FastifyRequest): TurnkeySession {
  const session = request.turnkey;
  if (session === null || session === undefined) {
    throw new Error("turnkey-session-auth: sessionOf(request) found no session: add onRequest: app.turnkey.authenticate() to the route (or register with global: true); on an optional route, read request.turnkey instead");
  }
  return session;
}
export default turnkeyAuth;

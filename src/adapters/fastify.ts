import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from "fastify";
import fastifyPlugin from "fastify-plugin";
import type { TurnkeyAuthError } from "../errors.js";
import type { AuthOptions } from "../http/adapter-options.js";
import { createAuthenticator, whenAuthenticated, type AuthResult } from "../http/authenticate.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import { policyList, type Policy } from "../policies/policy.js";
import { isThenable } from "../promises.js";
import { fastifyReader } from "./fastify-reader.js";

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

  const hook = (route?: readonly Policy[]): onRequestHookHandler => (request, reply, done) => {
    const answered = whenAuthenticated(authenticator.authenticate(request, route), (result) => answer(result, request, reply, done));
    if (isThenable(answered)) Promise.resolve(answered).catch(done); // a failure of onError, or after a wait
  };

  fastify.decorateRequest("turnkey", null);
  fastify.decorate("turnkey", {
    authenticate: (policies: readonly Policy[] = []) => hook(policyList(policies, "authenticate() takes an array of policy functions")),
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

import type { SessionVerifier } from "../jwt/verifier.js";
import type { SessionStore } from "../store/session-store.js";
import type { TurnkeyFlowsClient } from "./client.js";
import type { SessionKeysDeleter } from "./end-all-sessions.js";
import type { OauthAllowList } from "./oidc-token.js";

/**
 * The flows {@link createFlowHandler} serves, as the last path segment of `POST /auth/:flow`.
 *
 * @example
 * ```ts
 * createFlowHandler({ client, parentOrganizationId, appName: "Acme", flows: ["otp-init", "otp-verify", "otp-login"] satisfies FlowName[] });
 * ```
 */
export type FlowName = "signup" | "otp-init" | "otp-verify" | "otp-login" | "oauth-login" | "logout";

/**
 * An HTTP-shaped answer: the status and the JSON body to send.
 *
 * @example
 * ```ts
 * const { status, body }: FlowResponse = await handleFlow("otp-init", { otpType: "OTP_TYPE_EMAIL", contact });
 * ```
 */
export interface FlowResponse {
  status: number;
  body: unknown;
}

/**
 * `(flow, body) => answer`: mount it at `POST /auth/:flow` in any framework. Never rejects.
 *
 * @example
 * ```ts
 * const handleFlow: FlowHandler = createFlowHandler(config);
 * fastify.post("/auth/:flow", async (request, reply) => {
 *   const { status, body } = await handleFlow((request.params as { flow: string }).flow, request.body);
 *   return reply.status(status).send(body);
 * });
 * ```
 */
export type FlowHandler = (flow: string, body: unknown, request?: FlowRequest) => Promise<FlowResponse>;

/**
 * What of the HTTP request a flow reads besides its body: `logout` reads the session it ends from
 * the `Authorization: Bearer` header.
 *
 * @example
 * ```ts
 * const request: FlowRequest = { authorization: req.headers.authorization };
 * ```
 */
export interface FlowRequest {
  authorization?: string | undefined;
}

/**
 * Configuration of {@link createFlowHandler}.
 *
 * @example
 * ```ts
 * const config: FlowHandlerConfig = { client, parentOrganizationId: process.env.TURNKEY_ORGANIZATION_ID!, appName: "Acme", sessionExpirationSeconds: 3600 };
 * ```
 */
export interface FlowHandlerConfig {
  /** `new Turnkey({ apiBaseUrl, apiPublicKey, apiPrivateKey, defaultOrganizationId }).apiClient()` with the parent's API key. */
  client: TurnkeyFlowsClient;
  parentOrganizationId: string;
  /** Your app's name, shown in OTP emails and SMS. */
  appName: string;
  /** Verification-token signer key; default Turnkey's production key (`emulator.otpSignerPublicKey` for the emulator). */
  otpSignerPublicKey?: string;
  /** Notarizer key sessions must verify with; default Turnkey's production key (`emulator.notarizerPublicKey`). */
  notarizerPublicKey?: string;
  /**
   * A verifier to check issued sessions with, instead of one built from `notarizerPublicKey`. Its
   * store records logouts: give the one your routes use (or one sharing its store).
   */
  verifier?: SessionVerifier;
  /**
   * The store your instances share (e.g. `createRedisStore`). `logout` records revocations in it
   * when no `verifier` is given; `otp-login` and `oauth-login` lock a contact or OIDC identity in
   * it while signing it up, so two instances never create two sub-organizations for one user (a
   * store failure then answers 503 `unavailable`). Default: the `verifier`'s store, if any.
   */
  store?: SessionStore;
  /**
   * With it, `logout` also deletes the session's key at Turnkey. It needs write access in the
   * user's sub-organization (a delegated-access key); the parent organization's key has none.
   */
  sessionKeyDeleter?: SessionKeysDeleter;
  /** Lifetime of sessions issued by `otp-login`, in seconds. Default: Turnkey's (900). */
  sessionExpirationSeconds?: number;
  /**
   * Enables `oauth-login` (`POST /auth/oauth-login` `{ oidcToken, publicKey }`): the OIDC issuers and
   * audiences (your OAuth client ids) accepted. The client needs `getSubOrgIds` and `oauthLogin`.
   */
  oauth?: OauthAllowList;
  /** The flows to serve. Default: all (`oauth-login` only with `oauth`; `logout` only with a `verifier` or a `store`, where it records revocations). */
  flows?: readonly FlowName[];
  /** Milliseconds each Turnkey call may take. Default 5000. */
  timeoutMs?: number;
  /** Called with every error answered with a 5xx (Turnkey outages, bugs), and a failed deletion at Turnkey on logout: log it. The client gets a generic body. */
  onError?: (error: unknown, flow: FlowName) => void;
}

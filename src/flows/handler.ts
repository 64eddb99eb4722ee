import { isTurnkeyAuthError } from "../errors.js";
import { createSessionVerifier } from "../jwt/verifier.js";
import type { ClientSignature } from "./client.js";
import { isTurnkeyFlowError } from "./errors.js";
import { initOtp, verifyOtp } from "./otp.js";
import { otpLogin } from "./otp-login.js";
import { oauthLogin } from "./oauth-login.js";
import { requireAllowList } from "./oidc-token.js";
import type { SessionKeysClient } from "./end-all-sessions.js";
import type { FlowHandler, FlowHandlerConfig, FlowName, FlowRequest, FlowResponse } from "./handler-types.js";
import { logout } from "./logout.js";
import { optionalStore } from "./signup-lock.js";
import { createPasskeySubOrganization, type PasskeySignupInput } from "./signup.js";
import { requireClient, resolveTimeout } from "./turnkey-call.js";
import { isObject, requireObject, type OtpType } from "./validate.js";

const P256_HEX = /^(?:04[0-9a-fA-F]{128}|0[23][0-9a-fA-F]{64})$/;
const ALL_FLOWS: readonly FlowName[] = ["signup", "otp-init", "otp-verify", "otp-login", "oauth-login", "logout"];

function errorResponse(status: number, error: string, message: string): FlowResponse {
  return { status, body: { error, message } };
}

/**
 * Creates the framework-free dispatcher behind `POST /auth/:flow`:
 *
 * - `signup` `{ userName, passkey: { challenge, attestation, authenticatorName? }, apiKey?: { publicKey, expirationSeconds?, name? }, email? | phoneNumber?, verificationToken?, clientSignature? }`
 *   → 201 `{ subOrganizationId, userId }` (then the frontend calls `stampLogin` with the temporary
 *   key, which expires after `apiKey.expirationSeconds`, default 900). An email or phone number is
 *   recorded only verified: it needs the `verificationToken` of a code sent to it (`otp-init`,
 *   `otp-verify`) and `clientSignature`, the token key's `USAGE_TYPE_SIGNUP` signature of the root
 *   user created; without them the sign-up is refused (400 `invalid_request`), since OTP login
 *   trusts a recorded contact;
 * - `otp-init` `{ otpType: "OTP_TYPE_EMAIL" | "OTP_TYPE_SMS", contact }` → 200 `{ otpId, otpEncryptionTargetBundle }`;
 * - `otp-verify` `{ otpId, encryptedOtpBundle }` → 200 `{ verificationToken }`;
 * - `otp-login` `{ verificationToken, publicKey, clientSignature, signupClientSignature? }` → 200
 *   `{ session, organizationId, userId, expiresAt, created }`: logs into the sub-organization whose
 *   user has the token's contact **verified**, or creates one with it verified, which needs
 *   `signupClientSignature` (the token key's `USAGE_TYPE_SIGNUP` signature of a root user with only
 *   that contact; a 400 names it when missing). The frontend signs and sends both on every login:
 *   one request logs in, or signs up on the first login.
 * - `logout` (no body; `Authorization: Bearer <session>` in `request`) → 200 `{ revoked: true,
 *   deletedAtTurnkey }`: the session is refused with `session_revoked` by every verifier sharing
 *   the store, and its key is deleted at Turnkey with `sessionKeyDeleter` (401 when the token is
 *   missing or not Turnkey's). Turnkey's SDK `logout()` only forgets the key in the browser.
 *
 * Failures answer `{ error, message }`: 400 for bad input (naming it) and refused codes or
 * tokens, 404 for an unknown flow, 502/503 when Turnkey misbehaves, 500 for anything
 * unexpected. Messages never contain tokens or Turnkey's own error text.
 *
 * @example
 * ```ts
 * const handleFlow = createFlowHandler({ client, parentOrganizationId, appName: "Acme" });
 * app.post("/auth/:flow", express.json(), async (req, res) => {
 *   const { status, body } = await handleFlow(req.params.flow, req.body);
 *   res.status(status).json(body);
 * });
 * ```
 */
export function createFlowHandler(config: FlowHandlerConfig): FlowHandler {
  if (!isObject(config)) throw new TypeError("createFlowHandler: config must be an object");
  const client = requireClient(config.client, "createSubOrganization", "initOtp", "verifyOtp", "otpLogin", "getVerifiedSubOrgIds");
  const { parentOrganizationId, appName, otpSignerPublicKey, notarizerPublicKey, verifier, store, sessionKeyDeleter, sessionExpirationSeconds, onError } = config;
  if (typeof parentOrganizationId !== "string" || parentOrganizationId.length === 0) throw new TypeError("createFlowHandler: parentOrganizationId must be a non-empty string");
  if (typeof appName !== "string" || appName.length === 0) throw new TypeError("createFlowHandler: appName must be a non-empty string");
  if (onError !== undefined && typeof onError !== "function") throw new TypeError("createFlowHandler: onError must be a function");
  const canRevoke = verifier !== undefined || store !== undefined;
  const enabled = new Set<string>(config.flows ?? ALL_FLOWS.filter((flow) => (flow !== "oauth-login" || config.oauth !== undefined) && (flow !== "logout" || canRevoke)));
  for (const flow of enabled) if (!ALL_FLOWS.includes(flow as FlowName)) throw new TypeError(`createFlowHandler: unknown flow "${flow}" in flows`);
  if (enabled.has("oauth-login") && config.oauth === undefined) throw new TypeError("createFlowHandler: the oauth-login flow needs the oauth option (the accepted issuers and audiences)");
  const oauth = enabled.has("oauth-login") ? requireAllowList(config.oauth, "createFlowHandler: oauth") : undefined;
  const oauthClient = oauth === undefined ? undefined : requireClient(config.client, "getSubOrgIds", "oauthLogin");
  // A logout recorded in a store no route reads would answer 200 and end nothing.
  if (enabled.has("logout") && !canRevoke) throw new TypeError("createFlowHandler: the logout flow needs the verifier or the store your routes use");
  if (sessionKeyDeleter !== undefined) requireClient(sessionKeyDeleter, "deleteApiKeys");
  const keyLister = sessionKeyDeleter === undefined ? undefined : requireClient(client as unknown as SessionKeysClient, "getApiKeys");
  const timeoutMs = resolveTimeout(config.timeoutMs);
  if (
    sessionExpirationSeconds !== undefined &&
    !(Number.isInteger(sessionExpirationSeconds) && sessionExpirationSeconds >= 1 && sessionExpirationSeconds <= 31_536_000)
  ) {
    throw new TypeError("createFlowHandler: sessionExpirationSeconds must be a whole number of seconds from 1 to 31536000");
  }
  if (otpSignerPublicKey !== undefined && (typeof otpSignerPublicKey !== "string" || !P256_HEX.test(otpSignerPublicKey))) {
    throw new TypeError("createFlowHandler: otpSignerPublicKey must be a P-256 public key in hex");
  }
  if (verifier !== undefined && typeof verifier?.verify !== "function") throw new TypeError("createFlowHandler: verifier must come from createSessionVerifier()");
  // Built now, so a bad notarizerPublicKey fails at start-up (a TypeError), not at the first login.
  const sessionVerifier =
    verifier ??
    createSessionVerifier({
      trustedOrganizations: "any",
      ...(notarizerPublicKey === undefined ? {} : { notarizerPublicKey }),
      ...(store === undefined ? {} : { store }),
      cache: false,
    });
  const signer = otpSignerPublicKey === undefined ? {} : { otpSignerPublicKey };
  const signupStore = optionalStore(store) ?? verifier?.store;
  const signupLock = signupStore === undefined ? {} : { store: signupStore };
  const base = { client, parentOrganizationId, timeoutMs };

  function report(error: unknown, flow: FlowName): void {
    try {
      onError?.(error, flow);
    } catch {
      // A failing logger must not turn an answer into a crash.
    }
  }

  const flows: Record<FlowName, (body: Record<string, unknown>, request: FlowRequest) => Promise<FlowResponse>> = {
    async signup(body) {
      const passkey = requireObject(body.passkey, "passkey");
      const apiKey = body.apiKey === undefined || body.apiKey === null ? undefined : requireObject(body.apiKey, "apiKey");
      const result = await createPasskeySubOrganization({
        ...base,
        userName: body.userName as string,
        ...(body.email === undefined ? {} : { email: body.email as string }),
        ...(body.phoneNumber === undefined ? {} : { phoneNumber: body.phoneNumber as string }),
        ...(body.verificationToken === undefined ? {} : { verificationToken: body.verificationToken as string }),
        ...(body.clientSignature === undefined ? {} : { clientSignature: body.clientSignature as ClientSignature }),
        ...signer,
        passkey: passkey as unknown as PasskeySignupInput["passkey"],
        // A sign-up key is temporary: 15 minutes unless the client asks for a lifetime.
        ...(apiKey === undefined ? {} : { apiKey: { ...apiKey, expirationSeconds: apiKey.expirationSeconds ?? 900 } as unknown as NonNullable<PasskeySignupInput["apiKey"]> }),
      });
      return { status: 201, body: result };
    },
    async "otp-init"(body) {
      const { otpId, otpEncryptionTargetBundle } = await initOtp({ ...base, appName, otpType: body.otpType as OtpType, contact: body.contact as string });
      return { status: 200, body: { otpId, otpEncryptionTargetBundle } };
    },
    async "otp-verify"(body) {
      const { verificationToken } = await verifyOtp({ ...base, ...signer, otpId: body.otpId as string, encryptedOtpBundle: body.encryptedOtpBundle as string });
      return { status: 200, body: { verificationToken } };
    },
    async "otp-login"(body) {
      const result = await otpLogin({
        ...base,
        ...signer,
        verifier: sessionVerifier,
        ...signupLock,
        verificationToken: body.verificationToken as string,
        publicKey: body.publicKey as string,
        clientSignature: body.clientSignature as ClientSignature,
        ...(body.signupClientSignature === undefined ? {} : { signupClientSignature: body.signupClientSignature as ClientSignature }),
        ...(sessionExpirationSeconds === undefined ? {} : { expirationSeconds: sessionExpirationSeconds }),
      });
      return { status: 200, body: result };
    },
    async "oauth-login"(body) {
      const result = await oauthLogin({
        ...base,
        client: oauthClient!,
        allow: oauth!,
        verifier: sessionVerifier,
        ...signupLock,
        oidcToken: body.oidcToken as string,
        publicKey: body.publicKey as string,
        ...(sessionExpirationSeconds === undefined ? {} : { expirationSeconds: sessionExpirationSeconds }),
      });
      return { status: 200, body: result };
    },
    logout: (_body, request) =>
      logout({ verifier: sessionVerifier, keyLister, sessionKeyDeleter, timeoutMs, report: (error) => report(error, "logout") }, request.authorization),
  };

  return async (flow, body, request = {}) => {
    if (typeof flow !== "string" || !enabled.has(flow)) return errorResponse(404, "unknown_flow", `Unknown flow; available: ${[...enabled].join(", ")}`);
    const name = flow as FlowName;
    // A logout carries its session in the Authorization header; its body, if any, is ignored.
    if (name !== "logout" && !isObject(body)) return errorResponse(400, "invalid_request", "The request body must be a JSON object");
    try {
      return await flows[name](isObject(body) ? body : {}, isObject(request) ? request : {});
    } catch (error) {
      const known = isTurnkeyFlowError(error) || isTurnkeyAuthError(error) ? error : undefined;
      const status = known?.status ?? 500;
      if (status >= 500) report(error, name);
      if (known === undefined) return errorResponse(500, "internal_error", "The request could not be completed");
      return errorResponse(known.status, known.code, known.message);
    }
  };
}

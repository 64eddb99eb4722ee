// turnkey-session-auth/flows: the backend half of Turnkey's login flows, framework-free. The
// client is `@turnkey/sdk-server`'s API client, typed structurally: this entry never loads the SDK.
export { subOrganizationsOf } from "./sub-organizations-of.js";
export type { SubOrganizationsOfOptions, SubOrganizationTrust } from "./sub-organizations-of.js";
export type { ParentKeyLookupOptions } from "./parent-key.js";
export { createPasskeySubOrganization } from "./signup.js";
export type { PasskeySignupInput, PasskeySignupResult } from "./signup.js";
export { initOtp, verifyOtp } from "./otp.js";
export type { InitOtpInput, InitOtpResult, VerifyOtpInput, VerifyOtpResult } from "./otp.js";
export { getOrCreateSubOrganization } from "./sub-organization-by-contact.js";
export type { GetOrCreateSubOrganizationInput, GetOrCreateSubOrganizationResult } from "./sub-organization-by-contact.js";
export { otpLogin } from "./otp-login.js";
export { oauthLogin } from "./oauth-login.js";
export type { OauthLoginInput, OauthLoginResult } from "./oauth-login.js";
export type { OauthAllowList } from "./oidc-token.js";
export type { OtpLoginInput, OtpLoginResult } from "./otp-login.js";
export { checkVerificationToken } from "./verification-token.js";
export type { CheckVerificationTokenOptions, VerifiedOtpToken } from "./verification-token.js";
export { createFlowHandler } from "./handler.js";
export type { FlowHandler, FlowHandlerConfig, FlowName, FlowRequest, FlowResponse } from "./handler-types.js";
export { endAllSessions } from "./end-all-sessions.js";
export type { EndAllSessionsInput, EndAllSessionsResult, SessionKeysClient, SessionKeysDeleter } from "./end-all-sessions.js";
export { sessionKeyIsActive } from "./session-key-is-active.js";
export type { ActiveSessionKeyPolicy, SessionKeyIsActiveOptions } from "./session-key-is-active.js";
export { TurnkeyFlowError, isTurnkeyFlowError } from "./errors.js";
export type { TurnkeyFlowErrorCode, TurnkeyFlowErrorOptions } from "./errors.js";
export type {
  AuthenticatorTransport,
  ClientSignature,
  CreateSubOrganizationRequest,
  InitOtpRequest,
  OauthLoginRequest,
  OtpLoginRequest,
  PasskeyAttestation,
  RootUser,
  TurnkeyFlowsClient,
} from "./client.js";
export type { OtpType } from "./validate.js";

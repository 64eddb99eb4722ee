// turnkey-session-auth: verify Turnkey session JWTs at native speed, on any WebCrypto runtime.
export { verifySessionJwt } from "./verify-session-jwt.js";
export { decodeSessionJwt } from "./decode-session-jwt.js";
export { createSessionVerifier } from "./verifier.js";
export type { SessionVerifier } from "./verifier.js";
export type { VerifyOptions } from "./verify-options.js";
export type { TrustedOrganizations } from "./trust.js";
export type { BuiltInSessionType, SessionClaims, TurnkeySession } from "./session.js";
export { TurnkeyAuthError, formatWwwAuthenticate, isTurnkeyAuthError } from "./errors.js";
export type { TurnkeyAuthErrorCode, TurnkeyAuthErrorOptions } from "./errors.js";
export { extractToken } from "./extract-token.js";
export type { ExtractTokenOptions } from "./extract-token.js";
export { policyPath, readHeader } from "./request.js";
export type { HeadersLike, RequestLike } from "./request.js";
export { verifyP256Signature } from "./verify-p256-signature.js";
export * from "./policies/index.js";
export { createAuthenticator, describeFailure } from "./authenticate.js";
export type { AuthFailure, AuthOptions, AuthResult, Authenticator } from "./authenticate.js";

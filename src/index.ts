// turnkey-session-auth: verify Turnkey session JWTs with native crypto, on any WebCrypto runtime.
export { verifySessionJwt } from "./jwt/verify.js";
export { decodeSessionJwt } from "./jwt/decode.js";
export { createSessionVerifier } from "./jwt/verifier.js";
export type { SessionVerifier } from "./jwt/verifier.js";
export type { VerifyOptions } from "./jwt/options.js";
export type { TrustedOrganizations } from "./jwt/trust.js";
export type { BuiltInSessionType, SessionClaims, TurnkeySession } from "./jwt/claims.js";
export { TurnkeyAuthError, formatWwwAuthenticate, isTurnkeyAuthError } from "./errors.js";
export type { TurnkeyAuthErrorCode, TurnkeyAuthErrorOptions, TurnkeyAuthErrorStatus } from "./errors.js";
export { extractToken } from "./http/extract-token.js";
export type { ExtractTokenOptions, TokenSource } from "./http/extract-token.js";
export type { HeadersLike, RequestLike } from "./request.js";
export type { PathMatching } from "./http/path-matching.js";
export { definePolicy, policyNameOf } from "./policies/policy.js";
export type { Policy, PolicyContext } from "./policies/policy.js";
export { organizationFromParam, requireOrganization, requireReadWrite, requireScope, requireSessionType, requireUser } from "./policies/built-in.js";
export { allOf, anyOf, not } from "./policies/combinators.js";

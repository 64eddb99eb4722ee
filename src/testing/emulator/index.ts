// The local Turnkey API emulator: a test and development tool (see emulator.ts for what it covers).
export { startTurnkeyEmulator } from "./emulator.js";
export type { EmulatorOrganization, EmulatorOrganizationSnapshot, StartTurnkeyEmulatorOptions, TurnkeyEmulator } from "./emulator.js";
export type { EmulatorAuthProxyOptions } from "./auth-proxy.js";
export type { EmulatorCorsOptions } from "./cors.js";
export type { EmulatorFault, EmulatorFaults } from "./faults.js";
export type { EmulatorSentOtp } from "./otp.js";
export type { EmulatorRequestRecord } from "./server.js";
export type { P256KeyPairHex } from "./keys.js";
export { createTestClientKey } from "./client-key.js";
export { createOidcIssuer, oauthNonceOf } from "./oidc-issuer.js";
export type { OidcIssuer, OidcTokenClaims } from "./oidc-issuer.js";
export type { OtpLoginClientSignature, SignupUsage, TestClientKey } from "./client-key.js";
export type { EmulatorWebhookDelivery, EmulatorWebhookOptions } from "./webhooks.js";

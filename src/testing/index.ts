export { createTestNotarizer } from "./test-notarizer.js";
export type { RawTokenParts, SignSessionOptions, TestNotarizer, TestNotarizerOptions, TestSessionClaims } from "./test-notarizer.js";
export { createOidcIssuer, createTestClientKey, oauthNonceOf, startTurnkeyEmulator } from "./emulator/index.js";
export { createSoftwarePasskey } from "./software-passkey.js";
export type { SoftwarePasskey, SoftwarePasskeyOptions, SoftwarePasskeyRegistration } from "./software-passkey.js";
export type {
  EmulatorAuthProxyOptions,
  EmulatorCorsOptions,
  EmulatorFault,
  EmulatorFaults,
  EmulatorOrganization,
  EmulatorOrganizationSnapshot,
  EmulatorRequestRecord,
  EmulatorSentOtp,
  OidcIssuer,
  OidcTokenClaims,
  OtpLoginClientSignature,
  P256KeyPairHex,
  SignupUsage,
  StartTurnkeyEmulatorOptions,
  TestClientKey,
  TurnkeyEmulator,
} from "./emulator/index.js";

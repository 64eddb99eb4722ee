export { createTestNotarizer } from "./test-notarizer.js";
export type { RawTokenParts, SignSessionOptions, TestNotarizer, TestNotarizerOptions } from "./test-notarizer.js";
export { createTestClientKey, startTurnkeyEmulator } from "./emulator/index.js";
export type {
  EmulatorFault,
  EmulatorFaults,
  EmulatorOrganization,
  EmulatorOrganizationSnapshot,
  EmulatorRequestRecord,
  OtpLoginClientSignature,
  P256KeyPairHex,
  SignupUsage,
  StartTurnkeyEmulatorOptions,
  TestClientKey,
  TurnkeyEmulator,
} from "./emulator/index.js";

// What the SDK tests share: the emulator, a backend that verifies the sessions the real frontend
// SDKs obtain (the emulator's notarizer, trusting the parent's sub-organizations), and the one step
// of @turnkey/core's OTP flow that cannot run offline (see verifyOtpOffline).
import { encryptOtpCodeToBundle } from "@turnkey/crypto";
import { Turnkey } from "@turnkey/sdk-server";
import { createSessionVerifier, type TurnkeySession } from "../../../src/index.js";
import { subOrganizationsOf } from "../../../src/flows/index.js";
import { startTurnkeyEmulator, type StartTurnkeyEmulatorOptions, type TurnkeyEmulator } from "../../../src/testing/index.js";

export interface Backend {
  readonly emulator: TurnkeyEmulator;
  /** The backend's check of a session JWT: throws unless it is valid and of one of the parent's sub-organizations. */
  verify(sessionToken: string): Promise<TurnkeySession>;
  close(): Promise<void>;
}

export async function startBackend(options: StartTurnkeyEmulatorOptions = {}): Promise<Backend> {
  const emulator = await startTurnkeyEmulator(options);
  const client = new Turnkey({
    apiBaseUrl: emulator.apiBaseUrl,
    apiPublicKey: emulator.apiKey.publicKey,
    apiPrivateKey: emulator.apiKey.privateKey,
    defaultOrganizationId: emulator.parentOrganizationId,
  }).apiClient();
  const verifier = createSessionVerifier({
    notarizerPublicKey: emulator.notarizerPublicKey,
    trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId: emulator.parentOrganizationId }),
  });
  return { emulator, verify: (token) => verifier.verify(token), close: () => emulator.close() };
}

/** @turnkey/core's TurnkeyClient configuration for the emulator (its API and its Auth Proxy). */
export function coreConfig(emulator: TurnkeyEmulator) {
  return {
    apiBaseUrl: emulator.apiBaseUrl,
    authProxyUrl: emulator.authProxyUrl,
    authProxyConfigId: emulator.authProxyConfigId,
    organizationId: emulator.parentOrganizationId,
    passkeyConfig: { rpId: "localhost" },
  };
}

/** The parts of @turnkey/core's TurnkeyClient the OTP workaround uses. */
interface OtpCapableClient {
  createApiKeyPair(): Promise<string>;
  httpClient: { proxyVerifyOtpV2(input: { otpId: string; encryptedOtpBundle: string }): Promise<{ verificationToken: string }> };
}

/**
 * @turnkey/core's `verifyOtp` in two public steps, because its own checks the OTP bundle against
 * Turnkey's production signer key (no option overrides it): encrypt the code with
 * `@turnkey/crypto`'s `encryptOtpCodeToBundle(..., emulator.otpSignerPublicKey)`, to a key pair the
 * client holds in IndexedDB, then `httpClient.proxyVerifyOtpV2`. The token is bound to that key.
 */
export async function verifyOtpOffline(client: OtpCapableClient, emulator: TurnkeyEmulator, init: { otpId: string; otpEncryptionTargetBundle: string }, contact: string) {
  const code = emulator.lastOtp(contact);
  if (code === undefined) throw new Error(`no OTP was sent to ${contact}`);
  const publicKey = await client.createApiKeyPair();
  const encryptedOtpBundle = await encryptOtpCodeToBundle(code, init.otpEncryptionTargetBundle, publicKey, emulator.otpSignerPublicKey);
  const { verificationToken } = await client.httpClient.proxyVerifyOtpV2({ otpId: init.otpId, encryptedOtpBundle });
  return { verificationToken, publicKey };
}

/** Paths the emulator received since `from` (an index into `emulator.requests`). */
export function pathsSince(emulator: TurnkeyEmulator, from: number): string[] {
  return emulator.requests.slice(from).map((request) => request.path);
}

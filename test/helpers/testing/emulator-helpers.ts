// Shared helpers of the emulator and flow tests: SDK clients, a browser stand-in, fake passkeys.
import { randomBytes } from "node:crypto";
import { Turnkey } from "@turnkey/sdk-server";
import { createSoftwarePasskey, createTestClientKey, type TestClientKey, type TurnkeyEmulator } from "../../../src/testing/index.js";

export type ApiClient = ReturnType<Turnkey["apiClient"]>;

/** `@turnkey/sdk-server`'s API client against the emulator, with the parent's key unless another is given. */
export function sdkClient(emulator: TurnkeyEmulator, apiKey = emulator.apiKey, organizationId = emulator.parentOrganizationId): ApiClient {
  return new Turnkey({
    apiBaseUrl: emulator.apiBaseUrl,
    apiPublicKey: apiKey.publicKey,
    apiPrivateKey: apiKey.privateKey,
    defaultOrganizationId: organizationId,
  }).apiClient();
}

/**
 * What a browser's `navigator.credentials.create` hands the backend: a real attestation, by a
 * software passkey. A string `challenge` is written into clientDataJSON as given (hostile tests).
 */
export function fakePasskey(challenge: Buffer | string = randomBytes(32)) {
  const { registration } = createSoftwarePasskey({}, typeof challenge === "string" ? randomBytes(32) : challenge);
  const attestation = { ...registration.attestation, transports: [...registration.attestation.transports] };
  if (typeof challenge === "string") {
    attestation.clientDataJson = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge, origin: "http://localhost" })).toString("base64url");
  }
  return { challenge: typeof challenge === "string" ? challenge : registration.challenge, attestation };
}

/** The browser's part of OTP: reads the code from the emulator's "inbox" and encrypts it. */
export async function encryptCode(emulator: TurnkeyEmulator, contact: string, otpEncryptionTargetBundle: string, key: TestClientKey, code?: string): Promise<string> {
  const received = code ?? emulator.lastOtp(contact);
  if (received === undefined) throw new Error(`no OTP was sent to ${contact}`);
  return key.encryptOtpCode(received, otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
}

/** A complete OTP round through the raw SDK: init, verify; returns the token and the client key. */
export async function verifiedToken(emulator: TurnkeyEmulator, client: ApiClient, contact: string, otpType: "OTP_TYPE_EMAIL" | "OTP_TYPE_SMS" = "OTP_TYPE_EMAIL") {
  const key = createTestClientKey();
  const { otpId, otpEncryptionTargetBundle } = await client.initOtp({ otpType, contact, appName: "tests" });
  const encryptedOtpBundle = await encryptCode(emulator, contact, otpEncryptionTargetBundle, key);
  const { verificationToken } = await client.verifyOtp({ otpId, encryptedOtpBundle });
  return { key, verificationToken };
}

/** Creates a sub-organization of the client's organization with one root user holding `email`. */
export async function subOrganizationWith(client: ApiClient, email: string, apiKeys: { publicKey: string; expirationSeconds?: string }[] = []) {
  const { subOrganizationId, rootUserIds } = await client.createSubOrganization({
    subOrganizationName: email,
    rootQuorumThreshold: 1,
    rootUsers: [
      {
        userName: email,
        userEmail: email,
        apiKeys: apiKeys.map((apiKey, index) => ({ apiKeyName: `key ${index}`, curveType: "API_KEY_CURVE_P256" as const, ...apiKey })),
        authenticators: [],
        oauthProviders: [],
      },
    ],
  });
  return { subOrganizationId, userId: (rootUserIds ?? [])[0] as string };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(pending: Promise<unknown>): Promise<Error & { code?: unknown; status?: unknown; cause?: unknown }> {
  try {
    await pending;
  } catch (error) {
    return error as Error & { code?: unknown };
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/** Decodes a JWT's payload (no verification). */
export function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

// docs/emulator.md shows this test: an OTP login against the emulator with @turnkey/sdk-server,
// offline, ending in a session this library verifies.
import { Turnkey } from "@turnkey/sdk-server";
import { expect, it } from "vitest";
import { initOtp, otpLogin, verifyOtp } from "../../src/flows/index.js";
import { createSessionVerifier } from "../../src/index.js";
import { createTestClientKey, startTurnkeyEmulator } from "../../src/testing/index.js";

it("logs a user in by email code against the emulator, then survives a fault", async () => {
  const emulator = await startTurnkeyEmulator(); // { port?, notarizer?, parentOrganization?, now?, requestLogSize?, maxOtps?, maxActivities?, cors?, authProxy?, onOtpSent? }
  const parentOrganizationId = emulator.parentOrganizationId;
  const client = new Turnkey({
    apiBaseUrl: emulator.apiBaseUrl,
    apiPublicKey: emulator.apiKey.publicKey,
    apiPrivateKey: emulator.apiKey.privateKey,
    defaultOrganizationId: parentOrganizationId,
  }).apiClient();
  const keys = { otpSignerPublicKey: emulator.otpSignerPublicKey, notarizerPublicKey: emulator.notarizerPublicKey };

  const { otpId, otpEncryptionTargetBundle } = await initOtp({ client, parentOrganizationId, otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com", appName: "test" });
  const browser = createTestClientKey(); // the frontend's part: encrypt the code, sign the login and the sign-up
  const encryptedOtpBundle = await browser.encryptOtpCode(emulator.lastOtp("ada@example.com")!, otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
  const { verificationToken } = await verifyOtp({ client, parentOrganizationId, otpId, encryptedOtpBundle, ...keys });
  const clientSignature = browser.signLogin(verificationToken);
  const signupClientSignature = browser.signSignup(verificationToken);
  const { session, organizationId } = await otpLogin({ client, parentOrganizationId, verificationToken, publicKey: browser.publicKey, clientSignature, signupClientSignature, ...keys });

  await emulator.faults.set({ kind: "down" }); // or "slow" (delayMs), "status500", "malformedJson", "reset"
  await expect(initOtp({ client, parentOrganizationId, otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com", appName: "test" })).rejects.toMatchObject({ code: "unavailable" });
  await emulator.faults.clear();
  await emulator.close();

  const verifier = createSessionVerifier({ trustedOrganizations: [organizationId], notarizerPublicKey: emulator.notarizerPublicKey });
  expect((await verifier.verify(session)).organizationId).toBe(organizationId);
});

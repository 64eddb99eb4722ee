// Turnkey's Auth Proxy, emulated on the emulator's port: what @turnkey/core's initOtp, signUpWith*,
// completeOtp and getProxyAuthConfig call, authenticated by X-Auth-Proxy-Config-ID, no stamp.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftwarePasskey, createTestClientKey, startTurnkeyEmulator, type TestClientKey, type TurnkeyEmulator } from "../../src/testing/index.js";
import { generateP256KeyPairHex } from "../../src/testing/emulator/keys.js";
import { payloadOf, sdkClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
beforeAll(async () => {
  emulator = await startTurnkeyEmulator({ authProxy: { configId: "test-config" } });
});
afterAll(() => emulator.close());

interface Answer {
  status: number;
  body: Record<string, unknown> & { code?: number; message?: string };
}

async function proxy(path: string, body?: unknown, configId = emulator.authProxyConfigId): Promise<Answer> {
  const response = await fetch(`${emulator.authProxyUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-auth-proxy-config-id": configId },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** initOtp and verifyOtp through the proxy; the token is bound to `key`. */
async function proxyToken(contact: string, key: TestClientKey = createTestClientKey(), otpType = "OTP_TYPE_EMAIL"): Promise<{ key: TestClientKey; verificationToken: string }> {
  const init = await proxy("/v1/otp_init_v2", { otpType, contact });
  expect(init.status).toBe(200);
  const code = emulator.lastOtp(contact) as string;
  expect(code).toMatch(/^[0-9]{6}$/); // the default configuration: 6 digits
  const encryptedOtpBundle = await key.encryptOtpCode(code, init.body.otpEncryptionTargetBundle as string, emulator.otpSignerPublicKey);
  const verified = await proxy("/v1/otp_verify_v2", { otpId: init.body.otpId, encryptedOtpBundle });
  expect(verified.status).toBe(200);
  return { key, verificationToken: verified.body.verificationToken as string };
}

describe("the Auth Proxy", () => {
  it("exposes its URL and config id, and refuses any other id", async () => {
    expect(emulator.authProxyUrl).toBe(emulator.apiBaseUrl);
    expect(emulator.authProxyConfigId).toBe("test-config");
    for (const configId of ["other", ""]) {
      expect(await proxy("/v1/wallet_kit_config", undefined, configId)).toEqual({ status: 401, body: { code: 16, message: "invalid or missing X-Auth-Proxy-Config-ID", details: [] } });
    }
  });

  it("answers wallet_kit_config with no body at all (as getAuthProxyConfig posts it)", async () => {
    const { status, body } = await proxy("/v1/wallet_kit_config");
    expect(status).toBe(200);
    expect(body).toEqual({ enabledProviders: ["email", "sms", "passkey"], sessionExpirationSeconds: "900", organizationId: emulator.parentOrganizationId, otpAlphanumeric: false, otpLength: "6" });
    expect(await proxy("/v1/wallet_kit_client_params")).toEqual({ status: 200, body: {} });
  });

  it("signs up by OTP (signup_v2 with the token), finds the account (account), and logs in (otp_login_v2)", async () => {
    const email = "proxy@example.com";
    const { key, verificationToken } = await proxyToken(email);
    const signup = await proxy("/v1/signup_v2", {
      userName: "user-1",
      userEmail: email,
      organizationName: "sub-org-1",
      verificationToken,
      apiKeys: [],
      authenticators: [],
      oauthProviders: [],
      clientSignature: key.signSignup(verificationToken),
    });
    expect(signup.status).toBe(200);
    const organizationId = signup.body.organizationId as string;
    expect(emulator.organization(organizationId)).toMatchObject({ parentOrganizationId: emulator.parentOrganizationId, users: [{ userId: signup.body.userId, userEmail: email, emailVerified: true }] });

    const next = await proxyToken(email);
    expect(await proxy("/v1/account", { filterType: "EMAIL", filterValue: "Proxy@Example.com", verificationToken: next.verificationToken })).toEqual({ status: 200, body: { organizationId } });
    const login = await proxy("/v1/otp_login_v2", { verificationToken: next.verificationToken, publicKey: next.key.publicKey, clientSignature: next.key.signLogin(next.verificationToken) });
    expect(login.status).toBe(200);
    expect(payloadOf(login.body.session as string)).toMatchObject({ organization_id: organizationId, user_id: signup.body.userId, public_key: next.key.publicKey });
    // Consumed.
    const again = await proxy("/v1/otp_login_v2", { verificationToken: next.verificationToken, publicKey: next.key.publicKey, clientSignature: next.key.signLogin(next.verificationToken) });
    expect(again.status).toBe(400);
  });

  it("signs up with a passkey and a temporary API key, which then stamps the login", async () => {
    const passkey = createSoftwarePasskey();
    const temporary = generateP256KeyPairHex();
    const signup = await proxy("/v1/signup_v2", {
      userName: "passkey-user",
      authenticators: [{ authenticatorName: "laptop", ...passkey.registration }],
      apiKeys: [{ apiKeyName: "passkey-auth", publicKey: temporary.publicKey, curveType: "API_KEY_CURVE_P256", expirationSeconds: "60" }],
      oauthProviders: [],
    });
    expect(signup.status).toBe(200);
    const organizationId = signup.body.organizationId as string;
    const session = createTestClientKey().publicKey;
    const { session: jwt } = await sdkClient(emulator, temporary, organizationId).stampLogin({ publicKey: session, organizationId });
    expect(payloadOf(jwt)).toMatchObject({ organization_id: organizationId, user_id: signup.body.userId, public_key: session });
    expect(await proxy("/v1/account", { filterType: "CREDENTIAL_ID", filterValue: passkey.credentialId })).toEqual({ status: 200, body: { organizationId } });
    expect(await proxy("/v1/account", { filterType: "PUBLIC_KEY", filterValue: temporary.publicKey })).toEqual({ status: 200, body: { organizationId } });
    expect(await proxy("/v1/account", { filterType: "PUBLIC_KEY", filterValue: createTestClientKey().publicKey })).toEqual({ status: 200, body: {} });
  });

  it("looks an email up only with a token for that very email, and finds verified contacts only", async () => {
    await proxy("/v1/signup_v2", { userName: "unverified", userEmail: "plain@example.com", apiKeys: [], authenticators: [], oauthProviders: [] });
    const plain = await proxyToken("plain@example.com");
    expect(await proxy("/v1/account", { filterType: "EMAIL", filterValue: "plain@example.com", verificationToken: plain.verificationToken })).toEqual({ status: 200, body: {} });
    expect((await proxy("/v1/account", { filterType: "EMAIL", filterValue: "someone-else@example.com", verificationToken: plain.verificationToken })).status).toBe(400);
    expect((await proxy("/v1/account", { filterType: "EMAIL", filterValue: "plain@example.com" })).status).toBe(400);
    expect((await proxy("/v1/account", { filterType: "OIDC_TOKEN", filterValue: "x" })).body.message).toMatch(/OIDC is not emulated/);
    // No verified account: otp_login_v2 has nowhere to land.
    const login = await proxy("/v1/otp_login_v2", { verificationToken: plain.verificationToken, publicKey: plain.key.publicKey, clientSignature: plain.key.signLogin(plain.verificationToken) });
    expect(login).toMatchObject({ status: 404, body: { code: 5 } });
  });

  it("logs in to a named sub-organization of its own parent only", async () => {
    const foreign = emulator.createOrganization();
    const { key, verificationToken } = await proxyToken("named@example.com");
    const answer = await proxy("/v1/otp_login_v2", { verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken), organizationId: foreign.organizationId });
    expect(answer).toMatchObject({ status: 404, body: { message: "no organization found with the given ID" } });
  });

  it("answers 400, never a 5xx, to bodies that are not JSON objects", async () => {
    for (const body of ["[]", "null", "not json", '"text"', "{".repeat(10_000)]) {
      const { status, body: answer } = await proxy("/v1/otp_init_v2", body);
      expect(status).toBe(400);
      expect(answer.code).toBe(3);
    }
    expect((await proxy("/v1/otp_init_v2", { otpType: "OTP_TYPE_EMAIL", contact: "not an email" })).status).toBe(400);
  });
});

// The OTP logins @turnkey/core makes: stamp_login with X-Stamp-Attested (the verification token's key
// signs the body; a login naming the parent lands in the one sub-organization where the contact is
// verified), and the legacy activity types its generated client sends with V2 parameters.
import { ApiKeyStamper } from "@turnkey/api-key-stamper";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClientKey, startTurnkeyEmulator, type TestClientKey, type TurnkeyEmulator } from "../../src/testing/index.js";
import { encryptCode, payloadOf, sdkClient, subOrganizationWith, verifiedToken, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
});
afterAll(() => emulator.close());

interface Answer {
  status: number;
  body: { code?: number; message?: string; activity?: { organizationId: string; type: string; result: Record<string, { session?: string; verificationToken?: string }> } };
}

async function post(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${emulator.apiBaseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

async function derSignature(key: { publicKey: string; privateKey: string }, body: string): Promise<string> {
  const { stampHeaderValue } = await new ApiKeyStamper({ apiPublicKey: key.publicKey, apiPrivateKey: key.privateKey }).stamp(body);
  return (JSON.parse(Buffer.from(stampHeaderValue, "base64url").toString()) as { signature: string }).signature;
}

/** `X-Stamp-Attested` as @turnkey/core's attested stamper writes it. */
async function attested(body: string, verificationToken: string, key: TestClientKey, scheme = "STAMP_ATTESTED_SCHEME_P256_VERIFICATION_TOKEN"): Promise<string> {
  const stamp = { publicKeyAttestation: verificationToken, scheme, publicKey: key.publicKey, signature: await derSignature(key, body) };
  return Buffer.from(JSON.stringify(stamp)).toString("base64url");
}

/** The body @turnkey/core's loginWithOtp sends (captured), naming `organizationId`. */
function loginBody(organizationId: string, publicKey: string): string {
  return JSON.stringify({
    parameters: { publicKey, expirationSeconds: "900", invalidateExisting: false },
    organizationId,
    timestampMs: String(Date.now()),
    generateAppProofs: false,
    type: "ACTIVITY_TYPE_STAMP_LOGIN",
  });
}

async function attestedLogin(organizationId: string, verificationToken: string, key: TestClientKey, path = "/public/v1/submit/stamp_login"): Promise<Answer> {
  const body = loginBody(organizationId, key.publicKey);
  return post(path, body, { "X-Stamp-Attested": await attested(body, verificationToken, key) });
}

/** A sub-organization whose user has `email` verified (an OTP sign-up). */
async function verifiedAccount(email: string): Promise<{ subOrganizationId: string; userId: string }> {
  const { key, verificationToken } = await verifiedToken(emulator, client, email);
  const created = await client.createSubOrganization({
    subOrganizationName: email,
    rootQuorumThreshold: 1,
    rootUsers: [{ userName: email, userEmail: email, apiKeys: [], authenticators: [], oauthProviders: [] }],
    verificationToken,
    clientSignature: key.signSignup(verificationToken),
  });
  return { subOrganizationId: created.subOrganizationId, userId: (created.rootUserIds ?? [])[0] as string };
}

describe("stamp_login with X-Stamp-Attested", () => {
  it("logs in the user of the one sub-organization with the contact verified, when the parent is named", async () => {
    const account = await verifiedAccount("attested@example.com");
    await subOrganizationWith(client, "attested@example.com"); // the same email unverified elsewhere: ignored
    const { key, verificationToken } = await verifiedToken(emulator, client, "Attested@Example.com");
    const answer = await attestedLogin(emulator.parentOrganizationId, verificationToken, key);
    expect(answer.status).toBe(200);
    expect(answer.body.activity?.organizationId).toBe(account.subOrganizationId);
    const session = answer.body.activity?.result.stampLoginResult?.session as string;
    expect(payloadOf(session)).toMatchObject({ organization_id: account.subOrganizationId, user_id: account.userId, public_key: key.publicKey });
    // The token is consumed.
    const again = await attestedLogin(emulator.parentOrganizationId, verificationToken, key);
    expect(again).toMatchObject({ status: 401, body: { code: 16, message: expect.stringContaining("already been used") } });
  });

  it("logs in a user of the sub-organization named, and records the contact verified", async () => {
    const { subOrganizationId, userId } = await subOrganizationWith(client, "named@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "named@example.com");
    const answer = await attestedLogin(subOrganizationId, verificationToken, key);
    expect(payloadOf(answer.body.activity?.result.stampLoginResult?.session as string)).toMatchObject({ organization_id: subOrganizationId, user_id: userId });
    expect(emulator.organization(subOrganizationId)?.users[0]?.emailVerified).toBe(true);
  });

  it("refuses a parent-named login when no sub-organization, or more than one, has the contact verified", async () => {
    await subOrganizationWith(client, "unverified@example.com");
    const none = await verifiedToken(emulator, client, "unverified@example.com");
    expect(await attestedLogin(emulator.parentOrganizationId, none.verificationToken, none.key)).toMatchObject({
      status: 401,
      body: { code: 16, message: "could not find a verified sub-organization for the verification token's contact" },
    });
    await verifiedAccount("twice@example.com");
    await verifiedAccount("twice@example.com");
    const two = await verifiedToken(emulator, client, "twice@example.com");
    expect((await attestedLogin(emulator.parentOrganizationId, two.verificationToken, two.key)).body.message).toMatch(/more than one suborg/);
  });

  it("refuses a stamp by another key than the token's, a body it did not sign, and a forged token", async () => {
    await verifiedAccount("forged@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "forged@example.com");
    const other = createTestClientKey();
    expect((await attestedLogin(emulator.parentOrganizationId, verificationToken, other)).body.message).toMatch(/public key is not the verification token's/);
    const body = loginBody(emulator.parentOrganizationId, key.publicKey);
    const signedElsewhere = await attested(loginBody(emulator.parentOrganizationId, other.publicKey), verificationToken, key);
    expect(await post("/public/v1/submit/stamp_login", body, { "X-Stamp-Attested": signedElsewhere })).toMatchObject({ status: 401, body: { message: "could not verify attested stamp signature" } });
    const [header, payload] = verificationToken.split(".");
    const forged = `${header}.${payload}.${Buffer.alloc(64, 1).toString("base64url")}`;
    expect((await attestedLogin(emulator.parentOrganizationId, forged, key)).body).toMatchObject({ code: 16, message: expect.stringContaining("invalid verification token") });
  });

  it("refuses a token of another Turnkey customer", async () => {
    const foreign = emulator.createOrganization();
    const foreignClient = sdkClient(emulator, foreign.apiKey, foreign.organizationId);
    await verifiedAccount("customer@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, foreignClient, "customer@example.com");
    expect((await attestedLogin(emulator.parentOrganizationId, verificationToken, key)).body.message).toMatch(/issued for another organization/);
  });

  it("accepts attested stamps on stamp_login only, and the verification-token scheme only", async () => {
    await verifiedAccount("elsewhere@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "elsewhere@example.com");
    const whoami = JSON.stringify({ organizationId: emulator.parentOrganizationId });
    expect((await post("/public/v1/query/whoami", whoami, { "X-Stamp-Attested": await attested(whoami, verificationToken, key) })).body.message).toMatch(/only accepted by stamp_login/);
    const body = loginBody(emulator.parentOrganizationId, key.publicKey);
    const oidc = await attested(body, verificationToken, key, "STAMP_ATTESTED_SCHEME_P256_OIDC");
    expect((await post("/public/v1/submit/stamp_login", body, { "X-Stamp-Attested": oidc })).body.message).toMatch(/OIDC is not emulated/);
    for (const header of ["%%%", "e30", Buffer.from("[1]").toString("base64url"), "x".repeat(9000)]) {
      expect(await post("/public/v1/submit/stamp_login", body, { "X-Stamp-Attested": header })).toMatchObject({ status: 401, body: { code: 16 } });
    }
  });
});

describe("legacy activity types with V2 parameters (@turnkey/core's generated client)", () => {
  async function submit(path: string, type: string, organizationId: string, parameters: Record<string, unknown>): Promise<Answer> {
    const body = JSON.stringify({ type, timestampMs: String(Date.now()), organizationId, parameters });
    const { stampHeaderValue } = await new ApiKeyStamper({ apiPublicKey: emulator.apiKey.publicKey, apiPrivateKey: emulator.apiKey.privateKey }).stamp(body);
    return post(path, body, { "X-Stamp": stampHeaderValue });
  }

  it("ACTIVITY_TYPE_VERIFY_OTP and ACTIVITY_TYPE_OTP_LOGIN run as their V2", async () => {
    const email = "legacy@example.com";
    const { subOrganizationId, userId } = await subOrganizationWith(client, email);
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: email, appName: "tests" });
    const encryptedOtpBundle = await encryptCode(emulator, email, otpEncryptionTargetBundle, key);
    const verified = await submit("/public/v1/submit/verify_otp", "ACTIVITY_TYPE_VERIFY_OTP", emulator.parentOrganizationId, { otpId, encryptedOtpBundle });
    expect(verified.body.activity?.type).toBe("ACTIVITY_TYPE_VERIFY_OTP");
    const verificationToken = verified.body.activity?.result.verifyOtpResult?.verificationToken as string;
    const login = await submit("/public/v1/submit/otp_login", "ACTIVITY_TYPE_OTP_LOGIN", subOrganizationId, {
      verificationToken,
      publicKey: key.publicKey,
      clientSignature: key.signLogin(verificationToken),
    });
    expect(payloadOf(login.body.activity?.result.otpLoginResult?.session as string)).toMatchObject({ organization_id: subOrganizationId, user_id: userId });
  });

  it("refuses the legacy plaintext otpCode, and an OTP_LOGIN without a client signature", async () => {
    const { otpId } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "plain@example.com", appName: "tests" });
    const plaintext = await submit("/public/v1/submit/verify_otp", "ACTIVITY_TYPE_VERIFY_OTP", emulator.parentOrganizationId, { otpId, otpCode: "123456" });
    expect(plaintext).toMatchObject({ status: 400, body: { code: 3, message: expect.stringContaining("plaintext otpCode") } });
    const { subOrganizationId } = await subOrganizationWith(client, "nosig@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "nosig@example.com");
    const unsigned = await submit("/public/v1/submit/otp_login", "ACTIVITY_TYPE_OTP_LOGIN", subOrganizationId, { verificationToken, publicKey: key.publicKey });
    expect(unsigned).toMatchObject({ status: 400, body: { message: expect.stringContaining("clientSignature is required") } });
  });
});

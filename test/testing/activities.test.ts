import { encryptOtpCodeToBundle, verifyOtpVerificationToken, verifySessionJwtSignature } from "@turnkey/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionVerifier } from "../../src/index.js";
import { createTestClientKey, createTestNotarizer, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { encryptCode, fakePasskey, payloadOf, rejectionOf, sdkClient, subOrganizationWith, verifiedToken, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let clock = Date.now();
const notarizer = createTestNotarizer();

beforeAll(async () => {
  emulator = await startTurnkeyEmulator({ notarizer, now: () => clock });
  client = sdkClient(emulator);
});
afterAll(() => emulator.close());

describe("create_sub_organization", () => {
  it("creates a sub-organization with the passkey and the API key, in the SDK's envelope", async () => {
    const passkey = fakePasskey();
    const result = await client.createSubOrganization({
      subOrganizationName: "Ada",
      rootQuorumThreshold: 1,
      rootUsers: [
        {
          userName: "Ada",
          userEmail: "ada@example.com",
          apiKeys: [{ apiKeyName: "temp", publicKey: createTestClientKey().publicKey, curveType: "API_KEY_CURVE_P256", expirationSeconds: "300" }],
          authenticators: [{ authenticatorName: "laptop", ...passkey }],
          oauthProviders: [],
        },
      ],
    });
    expect(result.activity).toMatchObject({ status: "ACTIVITY_STATUS_COMPLETED", type: "ACTIVITY_TYPE_CREATE_SUB_ORGANIZATION_V8", organizationId: emulator.parentOrganizationId });
    expect(result.activity.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    const snapshot = emulator.organization(result.subOrganizationId);
    expect(snapshot?.parentOrganizationId).toBe(emulator.parentOrganizationId);
    expect(snapshot?.users[0]?.userId).toBe(result.rootUserIds?.[0]);
    expect(snapshot?.users[0]?.authenticators).toEqual([
      { authenticatorName: "laptop", credentialId: passkey.attestation.credentialId, challenge: passkey.challenge, publicKey: expect.stringMatching(/^0[23][0-9a-f]{64}$/) },
    ]);
    expect(snapshot?.users[0]?.apiKeys[0]).toMatchObject({ apiKeyName: "temp", credentialType: "CREDENTIAL_TYPE_API_KEY_P256", expiresAtMs: clock + 300_000 });
    expect(emulator.organization(emulator.parentOrganizationId)?.subOrganizationIds).toContain(result.subOrganizationId);
  });

  it("refuses an attestation whose clientDataJson names another challenge", async () => {
    const passkey = { ...fakePasskey(), challenge: "another-challenge" };
    const error = await rejectionOf(
      client.createSubOrganization({
        subOrganizationName: "x",
        rootQuorumThreshold: 1,
        rootUsers: [{ userName: "x", apiKeys: [], authenticators: [{ authenticatorName: "p", ...passkey }], oauthProviders: [] }],
      }),
    );
    expect(error.code).toBe(3);
    expect(error.message).toMatch(/challenge/);
  });

  it("filters list_suborgs by email, phone, user name and credential id", async () => {
    const passkey = fakePasskey();
    const { subOrganizationId } = await client.createSubOrganization({
      subOrganizationName: "Grace",
      rootQuorumThreshold: 1,
      rootUsers: [{ userName: "grace", userPhoneNumber: "+14155550123", apiKeys: [], authenticators: [{ authenticatorName: "p", ...passkey }], oauthProviders: [] }],
    });
    const ids = async (filterType: string, filterValue: string) => (await client.getSubOrgIds({ filterType, filterValue })).organizationIds;
    expect(await ids("PHONE_NUMBER", "+14155550123")).toEqual([subOrganizationId]);
    expect(await ids("USERNAME", "grace")).toEqual([subOrganizationId]);
    expect(await ids("CREDENTIAL_ID", passkey.attestation.credentialId)).toEqual([subOrganizationId]);
    expect(await ids("EMAIL", "nobody@example.com")).toEqual([]);
    expect((await rejectionOf(ids("WALLET_ACCOUNT_ADDRESS", "0x0"))).code).toBe(3);
  });
});

describe("OTP", () => {
  it("signs the encryption target bundle with otpSignerPublicKey (not Turnkey's production key)", async () => {
    const { otpEncryptionTargetBundle } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "bundle@example.com", appName: "tests" });
    const key = createTestClientKey();
    await expect(encryptOtpCodeToBundle("123456", otpEncryptionTargetBundle, key.publicKey, emulator.otpSignerPublicKey)).resolves.toContain("encappedPublic");
    await expect(encryptOtpCodeToBundle("123456", otpEncryptionTargetBundle, key.publicKey)).rejects.toThrow();
  });

  it("issues codes readable with lastOtp, alphanumeric of 9 by default, digits on request", async () => {
    await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "Code@Example.com", appName: "tests" });
    expect(emulator.lastOtp("code@example.com")).toMatch(/^[0-9A-Z]{9}$/);
    await client.initOtp({ otpType: "OTP_TYPE_SMS", contact: "+14155550100", appName: "tests", otpLength: 6, alphanumeric: false });
    expect(emulator.lastOtp("+14155550100")).toMatch(/^\d{6}$/);
    expect((await rejectionOf(client.initOtp({ otpType: "OTP_TYPE_SMS", contact: "not-a-phone", appName: "tests" }))).code).toBe(3);
  });

  it("verifies the encrypted code and issues a verification token @turnkey/crypto accepts", async () => {
    const { key, verificationToken } = await verifiedToken(emulator, client, "token@example.com");
    const claims = await verifyOtpVerificationToken(verificationToken, emulator.otpSignerPublicKey);
    expect(claims).toMatchObject({
      contact: "token@example.com",
      verification_type: "OTP_TYPE_EMAIL",
      organization_id: emulator.parentOrganizationId,
      public_key: key.publicKey,
      exp: String(clock + 3_600_000),
    });
    expect(Object.keys(payloadOf(verificationToken))).toEqual(["exp", "id", "organization_id", "verification_type", "contact", "public_key"]);
  });

  it("refuses a wrong code, and the OTP after three wrong attempts", async () => {
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "wrong@example.com", appName: "tests" });
    const wrong = await encryptCode(emulator, "wrong@example.com", otpEncryptionTargetBundle, key, "000000000");
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await rejectionOf(client.verifyOtp({ otpId, encryptedOtpBundle: wrong }));
      expect(error.message).toMatch(/Invalid OTP code/);
    }
    const right = await encryptCode(emulator, "wrong@example.com", otpEncryptionTargetBundle, key);
    expect((await rejectionOf(client.verifyOtp({ otpId, encryptedOtpBundle: right }))).message).toMatch(/too many/);
  });

  it("refuses an expired code and a code used twice", async () => {
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "late@example.com", appName: "tests", expirationSeconds: "60" });
    const bundle = await encryptCode(emulator, "late@example.com", otpEncryptionTargetBundle, key);
    clock += 61_000;
    expect((await rejectionOf(client.verifyOtp({ otpId, encryptedOtpBundle: bundle }))).message).toMatch(/expired/);

    const again = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "twice@example.com", appName: "tests" });
    const once = await encryptCode(emulator, "twice@example.com", again.otpEncryptionTargetBundle, key);
    await client.verifyOtp({ otpId: again.otpId, encryptedOtpBundle: once });
    expect((await rejectionOf(client.verifyOtp({ otpId: again.otpId, encryptedOtpBundle: once }))).message).toMatch(/already been used/);
  });

  it("logs in with the token: a session in Turnkey's scheme, exp from expirationSeconds, single use", async () => {
    const { subOrganizationId, userId } = await subOrganizationWith(client, "login@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "login@example.com");
    const { session } = await client.otpLogin({
      organizationId: subOrganizationId,
      verificationToken,
      publicKey: key.publicKey,
      clientSignature: key.signLogin(verificationToken),
      expirationSeconds: "120",
    });
    expect(await verifySessionJwtSignature(session, emulator.notarizerPublicKey)).toBe(true);
    expect(emulator.notarizerPublicKey).toBe(notarizer.publicKey);
    const verified = await createSessionVerifier({ trustedOrganizations: [subOrganizationId], notarizerPublicKey: emulator.notarizerPublicKey, now: () => clock }).verify(session);
    expect(verified).toMatchObject({ userId, organizationId: subOrganizationId, publicKey: key.publicKey, sessionType: "SESSION_TYPE_READ_WRITE" });
    expect(verified.expiresAt).toBe(Math.floor(clock / 1000) + 120);
    // The session key became a login credential the client can stamp with.
    expect((await sdkClient(emulator, key, subOrganizationId).getWhoami()).userId).toBe(userId);

    const reused = await rejectionOf(client.otpLogin({ organizationId: subOrganizationId, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) }));
    expect(reused.message).toMatch(/already been used/);
  });

  it("refuses a login whose client signature is missing, forged, or for another key", async () => {
    const { subOrganizationId } = await subOrganizationWith(client, "sig@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "sig@example.com");
    const other = createTestClientKey();
    const attempts = [
      { publicKey: key.publicKey, clientSignature: other.signLogin(verificationToken, key.publicKey) },
      { publicKey: other.publicKey, clientSignature: key.signLogin(verificationToken) },
      { publicKey: key.publicKey, clientSignature: { ...key.signLogin(verificationToken), signature: "00".repeat(64) } },
    ];
    for (const attempt of attempts) {
      const error = await rejectionOf(client.otpLogin({ organizationId: subOrganizationId, verificationToken, ...attempt }));
      expect(error.code).toBe(3);
    }
  });

  it("refuses a token for a contact with no user in that organization, and tokens of another parent", async () => {
    const { subOrganizationId } = await subOrganizationWith(client, "owner@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "stranger@example.com");
    const login = { organizationId: subOrganizationId, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) };
    expect((await rejectionOf(client.otpLogin(login))).code).toBe(5);

    const foreign = emulator.createOrganization();
    const foreignClient = sdkClient(emulator, foreign.apiKey, foreign.organizationId);
    const theirs = await subOrganizationWith(foreignClient, "owner@example.com");
    const mine = await verifiedToken(emulator, client, "owner@example.com");
    const error = await rejectionOf(
      foreignClient.otpLogin({ organizationId: theirs.subOrganizationId, verificationToken: mine.verificationToken, publicKey: mine.key.publicKey, clientSignature: mine.key.signLogin(mine.verificationToken) }),
    );
    expect(error.code).toBe(7);
  });
});

describe("stamp_login", () => {
  it("issues a session to the user whose sign-up key stamped it", async () => {
    const temporary = createTestClientKey();
    const { subOrganizationId, userId } = await subOrganizationWith(client, "stamp@example.com", [{ publicKey: temporary.publicKey, expirationSeconds: "300" }]);
    const session = createTestClientKey();
    const asUser = sdkClient(emulator, temporary, subOrganizationId);
    const answer = await asUser.stampLogin({ publicKey: session.publicKey, expirationSeconds: "600" });
    expect(payloadOf(answer.session)).toMatchObject({ user_id: userId, organization_id: subOrganizationId, public_key: session.publicKey, exp: Math.floor(clock / 1000) + 600 });
    expect(await verifySessionJwtSignature(answer.session, emulator.notarizerPublicKey)).toBe(true);
  });

  it("refuses stamp_login stamped by the parent's key", async () => {
    const { subOrganizationId } = await subOrganizationWith(client, "parent-stamp@example.com");
    const error = await rejectionOf(client.stampLogin({ organizationId: subOrganizationId, publicKey: createTestClientKey().publicKey }));
    expect(error.code).toBe(7);
  });
});

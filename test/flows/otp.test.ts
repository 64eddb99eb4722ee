import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSessionVerifier } from "../../src/index.js";
import { getOrCreateSubOrganization, initOtp, isTurnkeyFlowError, otpLogin, verifyOtp } from "../../src/flows/index.js";
import { createTestClientKey, createTestNotarizer, startTurnkeyEmulator, type TestClientKey, type TurnkeyEmulator } from "../../src/testing/index.js";
import { encryptCode, rejectionOf, sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let offsetMs = 0;
let config: { client: ApiClient; parentOrganizationId: string; otpSignerPublicKey: string; notarizerPublicKey: string };

beforeAll(async () => {
  emulator = await startTurnkeyEmulator({ now: () => Date.now() + offsetMs });
  client = sdkClient(emulator);
  config = { client, parentOrganizationId: emulator.parentOrganizationId, otpSignerPublicKey: emulator.otpSignerPublicKey, notarizerPublicKey: emulator.notarizerPublicKey };
});
beforeEach(() => {
  offsetMs = 0;
});
afterAll(() => emulator.close());

/** The whole browser + backend OTP round, through the flow helpers. */
async function codeVerified(contact: string, otpType: "OTP_TYPE_EMAIL" | "OTP_TYPE_SMS" = "OTP_TYPE_EMAIL", key: TestClientKey = createTestClientKey()) {
  const { otpId, otpEncryptionTargetBundle } = await initOtp({ ...config, otpType, contact, appName: "tests" });
  const encryptedOtpBundle = await encryptCode(emulator, contact, otpEncryptionTargetBundle, key);
  const verified = await verifyOtp({ ...config, otpId, encryptedOtpBundle });
  return { key, ...verified };
}

describe("initOtp / verifyOtp", () => {
  it("sends a code and returns a checked verification token bound to the client's key", async () => {
    const verified = await codeVerified("ada@example.com");
    expect(verified).toMatchObject({ contact: "ada@example.com", otpType: "OTP_TYPE_EMAIL", organizationId: emulator.parentOrganizationId, publicKey: verified.key.publicKey });
    expect(verified.expiresAt).toBeGreaterThan(Date.now());
  });

  it("refuses missing or malformed contacts and types with a 400 naming them", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ otpType: "OTP_TYPE_EMAIL", contact: undefined }, /contact is required/],
      [{ otpType: "OTP_TYPE_EMAIL", contact: "  " }, /contact is required/],
      [{ otpType: "OTP_TYPE_EMAIL", contact: "ada" }, /email address/],
      [{ otpType: "OTP_TYPE_SMS", contact: "555-0100" }, /E\.164/],
      [{ otpType: "OTP_TYPE_WHATSAPP", contact: "+14155550100" }, /otpType/],
    ];
    for (const [input, message] of cases) {
      const error = await rejectionOf(initOtp({ ...config, appName: "tests", ...input } as never));
      expect(error).toMatchObject({ code: "invalid_request", status: 400 });
      expect(error.message).toMatch(message);
    }
  });

  it("maps a wrong code to 400 rejected, without echoing Turnkey", async () => {
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await initOtp({ ...config, otpType: "OTP_TYPE_EMAIL", contact: "wrong@example.com", appName: "tests" });
    const encryptedOtpBundle = await encryptCode(emulator, "wrong@example.com", otpEncryptionTargetBundle, key, "ZZZZZZZZZ");
    const error = await rejectionOf(verifyOtp({ ...config, otpId, encryptedOtpBundle }));
    expect(error).toMatchObject({ code: "rejected", status: 400, turnkeyCode: 3, message: "The code is invalid, expired or already used" });
  });

  it("reports a misconfigured signer key as 502 (Turnkey's own token does not verify)", async () => {
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await initOtp({ ...config, otpType: "OTP_TYPE_EMAIL", contact: "cfg@example.com", appName: "tests" });
    const encryptedOtpBundle = await encryptCode(emulator, "cfg@example.com", otpEncryptionTargetBundle, key);
    const { otpSignerPublicKey: _ignored, ...withoutSigner } = config;
    const error = await rejectionOf(verifyOtp({ ...withoutSigner, otpId, encryptedOtpBundle }));
    expect(error).toMatchObject({ code: "bad_upstream_response", status: 502 });
  });
});

describe("otpLogin", () => {
  it("signs up on the first login and logs into the same sub-organization the second time", async () => {
    const first = await codeVerified("grace@example.com");
    const signup = await otpLogin({
      ...config,
      verificationToken: first.verificationToken,
      publicKey: first.key.publicKey,
      clientSignature: first.key.signLogin(first.verificationToken),
      signupClientSignature: first.key.signSignup(first.verificationToken),
    });
    expect(signup.created).toBe(true);
    expect(emulator.organization(signup.organizationId)).toMatchObject({ parentOrganizationId: emulator.parentOrganizationId, users: [{ userId: signup.userId, userEmail: "grace@example.com", emailVerified: true }] });

    const second = await codeVerified("Grace@Example.com");
    const login = await otpLogin({ ...config, verificationToken: second.verificationToken, publicKey: second.key.publicKey, clientSignature: second.key.signLogin(second.verificationToken) });
    expect(login).toMatchObject({ created: false, organizationId: signup.organizationId, userId: signup.userId });

    const session = await createSessionVerifier({ trustedOrganizations: [signup.organizationId], notarizerPublicKey: emulator.notarizerPublicKey }).verify(login.session);
    expect(session).toMatchObject({ organizationId: signup.organizationId, userId: signup.userId, publicKey: second.key.publicKey, expiresAt: login.expiresAt });
  });

  it("logs in SMS users by phone number, with a session key distinct from the verification key", async () => {
    const verified = await codeVerified("+14155550199", "OTP_TYPE_SMS");
    const sessionKey = createTestClientKey();
    const result = await otpLogin({
      ...config,
      verificationToken: verified.verificationToken,
      publicKey: sessionKey.publicKey,
      clientSignature: verified.key.signLogin(verified.verificationToken, sessionKey.publicKey),
      signupClientSignature: verified.key.signSignup(verified.verificationToken),
      expirationSeconds: 60,
    });
    expect(emulator.organization(result.organizationId)?.users[0]?.userPhoneNumber).toBe("+14155550199");
    expect(result.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
  });

  it("refuses an expired verification token with 400 verification_token_expired", async () => {
    offsetMs = -2 * 3_600_000; // The emulator issues the token two hours ago: it expired an hour ago.
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "late@example.com", appName: "tests" });
    const { verificationToken } = await client.verifyOtp({ otpId, encryptedOtpBundle: await encryptCode(emulator, "late@example.com", otpEncryptionTargetBundle, key) });
    offsetMs = 0;
    const error = await rejectionOf(otpLogin({ ...config, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) }));
    expect(isTurnkeyFlowError(error)).toBe(true);
    expect(error).toMatchObject({ code: "verification_token_expired", status: 400 });
  });

  it("refuses bad public keys, signatures and tokens with 400s, before any Turnkey call", async () => {
    const verified = await codeVerified("eve@example.com");
    const { verificationToken, key } = verified;
    const other = createTestClientKey();
    const good = { ...config, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ publicKey: undefined }, "invalid_request", /publicKey is required/],
      [{ publicKey: "04" + "ab".repeat(64) }, "invalid_request", /compressed P-256/],
      [{ clientSignature: undefined }, "invalid_request", /clientSignature is required/],
      [{ clientSignature: { ...good.clientSignature, signature: "xyz" } }, "invalid_request", /raw P-256 signature/],
      [{ clientSignature: other.signLogin(verificationToken) }, "invalid_request", /verification token was issued to/],
      [{ publicKey: other.publicKey }, "invalid_request", /clientSignature\.message/],
      [{ verificationToken: "a.b.c" }, "invalid_verification_token", /not valid/],
      [{ verificationToken: undefined }, "invalid_request", /verificationToken is required/],
      [{ otpSignerPublicKey: createTestNotarizer().publicKey }, "invalid_verification_token", /not valid/],
    ];
    const before = emulator.requests.length;
    for (const [override, code, message] of cases) {
      const error = await rejectionOf(otpLogin({ ...good, ...override } as never));
      expect(error, JSON.stringify(override).slice(0, 80)).toMatchObject({ code, status: 400 });
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(verificationToken);
    }
    expect(emulator.requests.length).toBe(before);
  });

  it("refuses a token verified for another parent organization", async () => {
    const foreign = emulator.createOrganization();
    const foreignClient = sdkClient(emulator, foreign.apiKey, foreign.organizationId);
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await foreignClient.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "x@example.com", appName: "tests" });
    const { verificationToken } = await foreignClient.verifyOtp({ otpId, encryptedOtpBundle: await encryptCode(emulator, "x@example.com", otpEncryptionTargetBundle, key) });
    const error = await rejectionOf(otpLogin({ ...config, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) }));
    expect(error).toMatchObject({ code: "invalid_verification_token", message: expect.stringContaining("another organization") });
  });

  it("refuses a token used twice (Turnkey consumes it) with 400 rejected", async () => {
    const { verificationToken, key } = await codeVerified("twice@example.com");
    const login = { ...config, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) };
    await otpLogin(login);
    expect(await rejectionOf(otpLogin(login))).toMatchObject({ code: "rejected", status: 400 });
  });

  it("reports a session that does not verify with the configured notarizer as 502", async () => {
    const { verificationToken, key } = await codeVerified("notary@example.com");
    const error = await rejectionOf(
      otpLogin({
        ...config,
        notarizerPublicKey: createTestNotarizer().publicKey,
        verificationToken,
        publicKey: key.publicKey,
        clientSignature: key.signLogin(verificationToken),
        signupClientSignature: key.signSignup(verificationToken),
      }),
    );
    expect(error).toMatchObject({ code: "bad_upstream_response", status: 502, message: expect.stringContaining("invalid_signature") });
  });

  it("maps outages during login to 503", async () => {
    const { verificationToken, key } = await codeVerified("outage@example.com");
    await emulator.faults.set({ kind: "reset" });
    try {
      const error = await rejectionOf(otpLogin({ ...config, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) }));
      expect(error).toMatchObject({ code: "unavailable", status: 503 });
    } finally {
      await emulator.faults.clear();
    }
  });
});

describe("getOrCreateSubOrganization", () => {
  it("creates one sub-organization for concurrent calls with one contact", async () => {
    const { verificationToken, key } = await codeVerified("race@example.com");
    const input = { ...config, verificationToken, signupClientSignature: key.signSignup(verificationToken) };
    const results = await Promise.all([getOrCreateSubOrganization(input), getOrCreateSubOrganization(input), getOrCreateSubOrganization(input)]);
    expect(new Set(results.map((result) => result.subOrganizationId)).size).toBe(1);
    const { organizationIds } = await client.getVerifiedSubOrgIds({ filterType: "EMAIL", filterValue: "race@example.com" });
    expect(organizationIds).toEqual([results[0]?.subOrganizationId]);
    expect((await getOrCreateSubOrganization(input)).created).toBe(false);
  });
});

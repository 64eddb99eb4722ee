// The emulator models contacts as Turnkey does: recorded verified or not, listed by
// list_verified_suborgs only when verified, verified at creation only with a verification token
// and the client signature Turnkey requires with it; and unknown session profiles are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClientKey, startTurnkeyEmulator, type TestClientKey, type TurnkeyEmulator } from "../../src/testing/index.js";
import { privateKeyFromHex, signRaw } from "../../src/testing/emulator/keys.js";
import { encryptCode, fakePasskey, rejectionOf, sdkClient, subOrganizationWith, verifiedToken, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
});
afterAll(() => emulator.close());

/** An OTP round for `contact` whose token is bound to `key`. */
async function tokenFor(contact: string, key: TestClientKey, otpType: "OTP_TYPE_EMAIL" | "OTP_TYPE_SMS" = "OTP_TYPE_EMAIL"): Promise<string> {
  const { otpId, otpEncryptionTargetBundle } = await client.initOtp({ otpType, contact, appName: "tests" });
  const { verificationToken } = await client.verifyOtp({ otpId, encryptedOtpBundle: await encryptCode(emulator, contact, otpEncryptionTargetBundle, key) });
  return verificationToken;
}

/** A root user holding only `contact` (what an OTP sign-up creates). */
function rootUser(contact: { userEmail?: string; userPhoneNumber?: string }, extra: { apiKeys?: { apiKeyName: string; publicKey: string; curveType: "API_KEY_CURVE_P256" }[] } = {}) {
  return { userName: "user", ...contact, apiKeys: extra.apiKeys ?? [], authenticators: [], oauthProviders: [] };
}

function subOrganizationCount(): number {
  return emulator.organization(emulator.parentOrganizationId)?.subOrganizationIds.length ?? 0;
}

describe("list_verified_suborgs", () => {
  it("lists only sub-organizations whose user has the email or phone number verified", async () => {
    const email = "listed@example.com";
    const unverified = await subOrganizationWith(client, email);
    const { key, verificationToken } = await verifiedToken(emulator, client, email);
    const verified = await client.createSubOrganization({
      subOrganizationName: "verified",
      rootQuorumThreshold: 1,
      rootUsers: [rootUser({ userEmail: email })],
      verificationToken,
      clientSignature: key.signSignup(verificationToken),
    });
    const phone = "+14155550142";
    const sms = await verifiedToken(emulator, client, phone, "OTP_TYPE_SMS");
    const byPhone = await client.createSubOrganization({
      subOrganizationName: "phone",
      rootQuorumThreshold: 1,
      rootUsers: [rootUser({ userPhoneNumber: phone })],
      verificationToken: sms.verificationToken,
      clientSignature: sms.key.signSignup(sms.verificationToken),
    });
    await client.createSubOrganization({ subOrganizationName: "unverified phone", rootQuorumThreshold: 1, rootUsers: [rootUser({ userPhoneNumber: phone })] });

    expect((await client.getSubOrgIds({ filterType: "EMAIL", filterValue: email })).organizationIds).toEqual([unverified.subOrganizationId, verified.subOrganizationId]);
    expect((await client.getVerifiedSubOrgIds({ filterType: "EMAIL", filterValue: "Listed@Example.com" })).organizationIds).toEqual([verified.subOrganizationId]);
    expect((await client.getVerifiedSubOrgIds({ filterType: "PHONE_NUMBER", filterValue: phone })).organizationIds).toEqual([byPhone.subOrganizationId]);
    expect((await client.getVerifiedSubOrgIds({ filterType: "EMAIL", filterValue: "nobody@example.com" })).organizationIds).toEqual([]);
    expect(emulator.organization(unverified.subOrganizationId)?.users[0]?.emailVerified).toBe(false);
  });

  it("refuses other filters and a missing value, and lists only the caller's own sub-organizations", async () => {
    expect((await rejectionOf(client.getVerifiedSubOrgIds({ filterType: "USERNAME", filterValue: "user" }))).code).toBe(3);
    expect((await rejectionOf(client.getVerifiedSubOrgIds({ filterType: "EMAIL" }))).code).toBe(3);
    const foreign = emulator.createOrganization();
    const foreignClient = sdkClient(emulator, foreign.apiKey, foreign.organizationId);
    expect((await foreignClient.getVerifiedSubOrgIds({ filterType: "EMAIL", filterValue: "listed@example.com" })).organizationIds).toEqual([]);
  });
});

describe("create_sub_organization with a verification token", () => {
  it("marks the token's contact verified when the client signature signs exactly that root user", async () => {
    const key = createTestClientKey();
    const email = "signed@example.com";
    const verificationToken = await tokenFor(email, key);
    const apiKeys = [{ apiKeyName: "temporary", publicKey: createTestClientKey().publicKey, curveType: "API_KEY_CURVE_P256" as const }];
    const { subOrganizationId } = await client.createSubOrganization({
      subOrganizationName: "signed",
      rootQuorumThreshold: 1,
      rootUsers: [rootUser({ userEmail: email }, { apiKeys }), rootUser({ userEmail: "co-signer@example.com" })],
      verificationToken,
      clientSignature: key.signSignup(verificationToken, { email, apiKeys }),
    });
    const users = emulator.organization(subOrganizationId)?.users;
    expect(users?.map((user) => [user.userEmail, user.emailVerified])).toEqual([
      [email, true],
      ["co-signer@example.com", false],
    ]);
  });

  it("accepts the usage in any key order (Turnkey parses it; Swift and Kotlin SDKs order keys differently), signed by the token's key only", async () => {
    const key = createTestClientKey();
    const email = "reordered@example.com";
    const verificationToken = await tokenFor(email, key);
    const { id } = JSON.parse(Buffer.from(verificationToken.split(".")[1] as string, "base64url").toString("utf8")) as { id: string };
    const message = JSON.stringify({ type: "USAGE_TYPE_SIGNUP", tokenId: id, signupV2: { email, oauthProviders: [], authenticators: [] } });
    const signature = signRaw(privateKeyFromHex(key), message).toString("hex");
    const { subOrganizationId } = await client.createSubOrganization({
      subOrganizationName: "reordered",
      rootQuorumThreshold: 1,
      rootUsers: [rootUser({ userEmail: email })],
      verificationToken,
      clientSignature: { publicKey: key.publicKey, scheme: "CLIENT_SIGNATURE_SCHEME_API_P256", message, signature },
    });
    expect(emulator.organization(subOrganizationId)?.users[0]?.emailVerified).toBe(true);

    const again = await tokenFor(email, key);
    const forged = createTestClientKey().signSignup(again, { email });
    const request = { subOrganizationName: "reordered", rootQuorumThreshold: 1, rootUsers: [rootUser({ userEmail: email })], verificationToken: again };
    expect((await rejectionOf(client.createSubOrganization({ ...request, clientSignature: { ...forged, publicKey: key.publicKey } }))).code).toBe(3);
  });

  it("refuses a missing, foreign, forged or mismatched client signature with Turnkey's INVALID_ARGUMENT, creating nothing", async () => {
    const key = createTestClientKey();
    const email = "refused@example.com";
    const verificationToken = await tokenFor(email, key);
    const secondToken = await tokenFor(email, key);
    const other = createTestClientKey();
    const signed = key.signSignup(verificationToken);
    const forged = other.signSignup(verificationToken);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["no signature", { clientSignature: undefined }, /clientSignature is required/],
      ["another key's signature", { clientSignature: forged }, /clientSignature\.publicKey is not the verification token's public key/],
      ["another key's signature claiming the token's key", { clientSignature: { ...forged, publicKey: key.publicKey } }, /not a valid signature/],
      ["the signature of another message", { clientSignature: { ...signed, signature: key.signSignup(verificationToken, { email: "other@example.com" }).signature } }, /not a valid signature/],
      ["another email signed", { clientSignature: key.signSignup(verificationToken, { email: "other@example.com" }) }, /does not match the parameters/],
      ["an API key the user does not get", { clientSignature: key.signSignup(verificationToken, { email, apiKeys: [{ apiKeyName: "x", publicKey: other.publicKey, curveType: "API_KEY_CURVE_P256" }] }) }, /does not match the parameters/],
      ["a passkey the user does not get", { clientSignature: key.signSignup(verificationToken, { email, authenticators: [{ authenticatorName: "p", ...fakePasskey() }] }) }, /does not match the parameters/],
      ["another token's id", { clientSignature: key.signSignup(secondToken) }, /token id differ/],
      ["a login signature", { clientSignature: key.signLogin(verificationToken) }, /usage type or token id differ/],
      ["a message that is not JSON", { clientSignature: { ...signed, message: "signup" } }, /JSON token usage/],
      ["another scheme", { clientSignature: { ...signed, scheme: "CLIENT_SIGNATURE_SCHEME_OTHER" } }, /scheme/],
    ];
    const before = subOrganizationCount();
    for (const [name, override, message] of cases) {
      const request = { subOrganizationName: "refused", rootQuorumThreshold: 1, rootUsers: [rootUser({ userEmail: email })], verificationToken, ...override };
      const error = await rejectionOf(client.createSubOrganization(request as never));
      expect(error.code, name).toBe(3);
      expect(error.message, name).toMatch(message);
    }
    expect(subOrganizationCount()).toBe(before);
  });

  it("refuses a token issued to another organization and one whose contact no root user has", async () => {
    const foreign = emulator.createOrganization();
    const foreignClient = sdkClient(emulator, foreign.apiKey, foreign.organizationId);
    const key = createTestClientKey();
    const { otpId, otpEncryptionTargetBundle } = await foreignClient.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "foreign@example.com", appName: "tests" });
    const { verificationToken: foreignToken } = await foreignClient.verifyOtp({ otpId, encryptedOtpBundle: await encryptCode(emulator, "foreign@example.com", otpEncryptionTargetBundle, key) });
    const error = await rejectionOf(
      client.createSubOrganization({ subOrganizationName: "x", rootQuorumThreshold: 1, rootUsers: [rootUser({ userEmail: "foreign@example.com" })], verificationToken: foreignToken, clientSignature: key.signSignup(foreignToken) }),
    );
    expect(error.code).toBe(7);

    const mine = await verifiedToken(emulator, client, "mine@example.com");
    const mismatch = await rejectionOf(
      client.createSubOrganization({ subOrganizationName: "x", rootQuorumThreshold: 1, rootUsers: [rootUser({ userEmail: "else@example.com" })], verificationToken: mine.verificationToken, clientSignature: mine.key.signSignup(mine.verificationToken) }),
    );
    expect(mismatch.code).toBe(3);
    expect(mismatch.message).toMatch(/does not match any root user/);
  });
});

describe("session profiles", () => {
  it("refuses an unknown sessionProfileId in otp_login (NOT_FOUND) without consuming the token", async () => {
    const { subOrganizationId } = await subOrganizationWith(client, "profile@example.com");
    const { key, verificationToken } = await verifiedToken(emulator, client, "profile@example.com");
    const login = { organizationId: subOrganizationId, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) };
    const error = await rejectionOf(client.otpLogin({ ...login, sessionProfileId: "no-such-profile" }));
    expect(error.code).toBe(5);
    expect(error.message).toMatch(/session profile not found/);
    await expect(client.otpLogin(login)).resolves.toMatchObject({ session: expect.any(String) });
  });

  it("refuses an unknown sessionProfileId in stamp_login", async () => {
    const temporary = createTestClientKey();
    const { subOrganizationId } = await subOrganizationWith(client, "stamp-profile@example.com", [{ publicKey: temporary.publicKey }]);
    const asUser = sdkClient(emulator, temporary, subOrganizationId);
    const error = await rejectionOf(asUser.stampLogin({ publicKey: createTestClientKey().publicKey, sessionProfileId: "no-such-profile" }));
    expect(error.code).toBe(5);
    await expect(asUser.stampLogin({ publicKey: createTestClientKey().publicKey })).resolves.toMatchObject({ session: expect.any(String) });
  });
});

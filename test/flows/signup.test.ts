import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPasskeySubOrganization, isTurnkeyFlowError, otpLogin } from "../../src/flows/index.js";
import { createTestClientKey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { fakePasskey, payloadOf, rejectionOf, sdkClient, verifiedToken, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
});
afterAll(() => emulator.close());

/** The parent organization and the emulator's keys, as the flow helpers take them. */
function keys() {
  return { parentOrganizationId: emulator.parentOrganizationId, otpSignerPublicKey: emulator.otpSignerPublicKey, notarizerPublicKey: emulator.notarizerPublicKey };
}

describe("createPasskeySubOrganization", () => {
  it("creates the sub-organization with the passkey and temporary key; the frontend can then stampLogin", async () => {
    const temporary = createTestClientKey();
    const passkey = fakePasskey();
    const { subOrganizationId, userId } = await createPasskeySubOrganization({
      client,
      parentOrganizationId: emulator.parentOrganizationId,
      userName: "Ada",
      passkey: { ...passkey, authenticatorName: "Ada's laptop" },
      apiKey: { publicKey: temporary.publicKey, expirationSeconds: 300 },
    });
    const snapshot = emulator.organization(subOrganizationId);
    expect(snapshot?.parentOrganizationId).toBe(emulator.parentOrganizationId);
    expect(snapshot?.users).toHaveLength(1);
    expect(snapshot?.users[0]).toMatchObject({
      userId,
      userName: "Ada",
      authenticators: [{ authenticatorName: "Ada's laptop", credentialId: passkey.attestation.credentialId, challenge: passkey.challenge }],
      apiKeys: [{ publicKey: temporary.publicKey, credentialType: "CREDENTIAL_TYPE_API_KEY_P256" }],
    });
    expect(snapshot?.users[0]?.userEmail).toBeUndefined();

    const session = createTestClientKey();
    const login = await sdkClient(emulator, temporary, subOrganizationId).stampLogin({ publicKey: session.publicKey });
    expect(payloadOf(login.session)).toMatchObject({ organization_id: subOrganizationId, user_id: userId, public_key: session.publicKey });
  });

  it("records an email verified with its verification token and the client's sign-up signature; OTP login then finds it", async () => {
    const email = "verified-signup@example.com";
    const { key, verificationToken } = await verifiedToken(emulator, client, email);
    const temporary = createTestClientKey();
    const passkey = fakePasskey();
    const { subOrganizationId } = await createPasskeySubOrganization({
      client,
      ...keys(),
      userName: "Vera",
      email,
      verificationToken,
      clientSignature: key.signSignup(verificationToken, {
        email,
        apiKeys: [{ apiKeyName: "Temporary sign-up key", publicKey: temporary.publicKey, curveType: "API_KEY_CURVE_P256", expirationSeconds: "300" }],
        authenticators: [{ authenticatorName: "Passkey", ...passkey }],
      }),
      passkey,
      apiKey: { publicKey: temporary.publicKey, expirationSeconds: 300 },
    });
    expect(emulator.organization(subOrganizationId)?.users[0]).toMatchObject({ userEmail: email, emailVerified: true });

    const again = await verifiedToken(emulator, client, email);
    const login = await otpLogin({ client, ...keys(), verificationToken: again.verificationToken, publicKey: again.key.publicKey, clientSignature: again.key.signLogin(again.verificationToken) });
    expect(login).toMatchObject({ organizationId: subOrganizationId, created: false });
  });

  it("refuses a contact without proof, or with a proof of something else, with a 400 that says why, before calling Turnkey", async () => {
    const email = "proof@example.com";
    const { key, verificationToken } = await verifiedToken(emulator, client, email);
    const other = await verifiedToken(emulator, client, "someone-else@example.com");
    const sms = await verifiedToken(emulator, client, "+14155550123", "OTP_TYPE_SMS");
    const passkey = fakePasskey();
    const base = { client, ...keys(), userName: "Pat", passkey };
    const signed = key.signSignup(verificationToken, { email, authenticators: [{ authenticatorName: "Passkey", ...passkey }] });
    const before = emulator.requests.length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ email }, /^email is recorded only when verified/],
      [{ phoneNumber: "+14155550123" }, /^phoneNumber is recorded only when verified/],
      [{ email, phoneNumber: "+14155550123", verificationToken, clientSignature: signed }, /one contact/],
      [{ verificationToken, clientSignature: signed }, /without the email or phoneNumber/],
      [{ email, verificationToken }, /^clientSignature is required/],
      [{ email, verificationToken: other.verificationToken, clientSignature: other.key.signSignup(other.verificationToken, { email }) }, /does not verify this email/],
      [{ email: "someone-else@example.com", verificationToken, clientSignature: signed }, /does not verify this email/],
      [{ phoneNumber: "+14155550123", verificationToken, clientSignature: signed }, /does not verify this phoneNumber/],
      [{ email, verificationToken: sms.verificationToken, clientSignature: sms.key.signSignup(sms.verificationToken) }, /does not verify this email/],
      [{ email, verificationToken, clientSignature: other.key.signSignup(verificationToken, { email }) }, /clientSignature\.publicKey/],
      [{ email, verificationToken, clientSignature: key.signLogin(verificationToken) }, /USAGE_TYPE_SIGNUP/],
      [{ email, verificationToken, clientSignature: key.signSignup(verificationToken, { email }) }, /authenticators does not match/],
      [{ email, verificationToken, clientSignature: key.signSignup(verificationToken, { email: "someone-else@example.com", authenticators: [{ authenticatorName: "Passkey", ...passkey }] }) }, /email does not match/],
      [{ email, verificationToken, clientSignature: signed, apiKey: { publicKey: createTestClientKey().publicKey } }, /apiKeys does not match/],
    ];
    for (const [override, message] of cases) {
      const error = await rejectionOf(createPasskeySubOrganization({ ...base, ...override } as never));
      expect(error, JSON.stringify(Object.keys(override))).toMatchObject({ code: "invalid_request", status: 400 });
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(verificationToken);
    }
    expect(emulator.requests.length).toBe(before);
  });

  it("answers any signed usage but the root user's with a 400, never more, before calling Turnkey (property)", async () => {
    const email = "property@example.com";
    const { key, verificationToken } = await verifiedToken(emulator, client, email);
    const tokenId = payloadOf(verificationToken).id as string;
    const passkey = fakePasskey();
    const field = fc.constantFrom("email", "phoneNumber", "apiKeys", "authenticators", "oauthProviders", "__proto__", "constructor", "signup");
    const usage = fc.dictionary(field, fc.jsonValue({ maxDepth: 6 }));
    const message = fc.oneof(
      fc.record({ signupV2: usage, tokenId: fc.constantFrom(tokenId, "another"), type: fc.constantFrom("USAGE_TYPE_SIGNUP", "USAGE_TYPE_LOGIN") }).map((value) => JSON.stringify(value)),
      fc.string(),
      fc.nat(3000).map((depth) => `{"signupV2":{"email":"${email}","apiKeys":${"[".repeat(depth)}${"]".repeat(depth)}},"tokenId":"${tokenId}","type":"USAGE_TYPE_SIGNUP"}`),
    );
    const signed = key.signSignup(verificationToken, { email, authenticators: [{ authenticatorName: "Passkey", ...passkey }] });
    const before = emulator.requests.length;
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        const error = await rejectionOf(createPasskeySubOrganization({ client, ...keys(), userName: "Pat", email, passkey, verificationToken, clientSignature: { ...signed, message: text } }));
        expect(error).toMatchObject({ code: "invalid_request", status: 400 });
        expect(error.message).not.toContain(verificationToken);
      }),
      { numRuns: 200 },
    );
    expect(emulator.requests.length).toBe(before);
  });

  it("works without a temporary key", async () => {
    const { subOrganizationId } = await createPasskeySubOrganization({ client, parentOrganizationId: emulator.parentOrganizationId, userName: "Bob", passkey: fakePasskey() });
    expect(emulator.organization(subOrganizationId)?.users[0]?.apiKeys).toEqual([]);
  });

  it("refuses bad input with a 400 naming it, before calling Turnkey", async () => {
    const base = { client, parentOrganizationId: emulator.parentOrganizationId, userName: "Eve", passkey: fakePasskey() };
    const before = emulator.requests.length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ userName: "" }, /userName/],
      [{ email: "not-an-email" }, /email/],
      [{ passkey: { attestation: fakePasskey().attestation } }, /passkey\.challenge/],
      [{ passkey: { challenge: "c" } }, /passkey\.attestation/],
      [{ apiKey: { publicKey: "04abc" } }, /apiKey\.publicKey/],
      [{ apiKey: { publicKey: createTestClientKey().publicKey, expirationSeconds: -1 } }, /expirationSeconds/],
    ];
    for (const [override, message] of cases) {
      const error = await rejectionOf(createPasskeySubOrganization({ ...base, ...override } as never));
      expect(isTurnkeyFlowError(error)).toBe(true);
      expect(error).toMatchObject({ code: "invalid_request", status: 400 });
      expect(error.message).toMatch(message);
    }
    expect(emulator.requests.length).toBe(before);
  });

  it("maps Turnkey's refusal to a 400 without Turnkey's text", async () => {
    const passkey = { ...fakePasskey(), challenge: "not-the-signed-one" };
    const error = await rejectionOf(createPasskeySubOrganization({ client, parentOrganizationId: emulator.parentOrganizationId, userName: "Mallory", passkey }));
    expect(error).toMatchObject({ code: "rejected", status: 400, turnkeyCode: 3 });
    expect(error.message).not.toMatch(/Turnkey error/);
    expect(String((error.cause as Error).message)).toMatch(/challenge/);
  });

  it("maps a foreign parent organization (our key refused) to 502 upstream_auth_failed", async () => {
    const foreign = emulator.createOrganization();
    const error = await rejectionOf(createPasskeySubOrganization({ client, parentOrganizationId: foreign.organizationId, userName: "Eve", passkey: fakePasskey() }));
    expect(error).toMatchObject({ code: "upstream_auth_failed", status: 502, turnkeyCode: 16 });
  });

  it("maps an outage to 503 unavailable", async () => {
    await emulator.faults.set({ kind: "down" });
    try {
      const error = await rejectionOf(createPasskeySubOrganization({ client, parentOrganizationId: emulator.parentOrganizationId, userName: "Eve", passkey: fakePasskey() }));
      expect(error).toMatchObject({ code: "unavailable", status: 503 });
    } finally {
      await emulator.faults.clear();
    }
  });
});

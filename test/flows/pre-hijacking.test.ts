// Account pre-hijacking (issue 14, item 1), through the public API wired as `npm run demo` wires it:
// createFlowHandler on @turnkey/sdk-server's real client, against the emulator. An attacker who
// merely types the victim's email must never end up sharing the victim's account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionVerifier } from "../../src/index.js";
import { createFlowHandler, type FlowHandler } from "../../src/flows/index.js";
import { createTestClientKey, startTurnkeyEmulator, type TestClientKey, type TurnkeyEmulator } from "../../src/testing/index.js";
import { fakePasskey, rejectionOf, sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let handle: FlowHandler;

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
  handle = createFlowHandler({
    client,
    parentOrganizationId: emulator.parentOrganizationId,
    appName: "tests",
    otpSignerPublicKey: emulator.otpSignerPublicKey,
    notarizerPublicKey: emulator.notarizerPublicKey,
  });
});
afterAll(() => emulator.close());

type Body = Record<string, unknown>;

/** The browser's part of OTP through the handler: otp-init, read the inbox, otp-verify. */
async function verifiedByCode(email: string, key: TestClientKey = createTestClientKey()): Promise<{ key: TestClientKey; verificationToken: string }> {
  const init = await handle("otp-init", { otpType: "OTP_TYPE_EMAIL", contact: email });
  expect(init.status).toBe(200);
  const { otpId, otpEncryptionTargetBundle } = init.body as { otpId: string; otpEncryptionTargetBundle: string };
  const encryptedOtpBundle = await key.encryptOtpCode(emulator.lastOtp(email) as string, otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
  const verify = await handle("otp-verify", { otpId, encryptedOtpBundle });
  expect(verify.status).toBe(200);
  return { key, verificationToken: (verify.body as { verificationToken: string }).verificationToken };
}

/** A complete OTP login through the handler, sending both signatures as docs/login-flows.md says. */
async function otpLoginAs(email: string): Promise<{ status: number; body: Body }> {
  const { key, verificationToken } = await verifiedByCode(email);
  const answer = await handle("otp-login", {
    verificationToken,
    publicKey: key.publicKey,
    clientSignature: key.signLogin(verificationToken),
    signupClientSignature: key.signSignup(verificationToken),
  });
  return { status: answer.status, body: answer.body as Body };
}

/** Every credential of an organization's users: API key public keys and passkey credential ids. */
function credentialsOf(organizationId: string): string[] {
  return (emulator.organization(organizationId)?.users ?? []).flatMap((user) => [
    ...user.apiKeys.map((apiKey) => apiKey.publicKey),
    ...user.authenticators.map((authenticator) => authenticator.credentialId),
  ]);
}

describe("account pre-hijacking through sign-up + OTP login", () => {
  it("refuses the attacker's sign-up naming the victim's email; the victim's OTP login makes an account of their own", async () => {
    const victim = "victim@example.com";
    const attackerKey = createTestClientKey(); // the attacker's own long-lived API key
    const attackerPasskey = fakePasskey();
    const attack = { userName: "Mallory", email: victim, passkey: attackerPasskey, apiKey: { publicKey: attackerKey.publicKey, expirationSeconds: 31_536_000 } };

    const refused = await handle("signup", attack);
    expect(refused).toEqual({ status: 400, body: { error: "invalid_request", message: expect.stringMatching(/^email is recorded only when verified/) } });

    // With a genuine verification token and signature, but for the attacker's own address: refused too.
    const own = await verifiedByCode("mallory@example.com", attackerKey);
    const withOwnToken = await handle("signup", {
      ...attack,
      verificationToken: own.verificationToken,
      clientSignature: attackerKey.signSignup(own.verificationToken, { email: victim }),
    });
    expect(withOwnToken).toMatchObject({ status: 400, body: { error: "invalid_request", message: expect.stringMatching(/does not verify this email/) } });

    // Nothing of the attacker's was recorded under the victim's email.
    expect((await client.getSubOrgIds({ filterType: "EMAIL", filterValue: victim })).organizationIds).toEqual([]);
    expect((await client.getSubOrgIds({ filterType: "CREDENTIAL_ID", filterValue: attackerPasskey.attestation.credentialId })).organizationIds).toEqual([]);

    const login = await otpLoginAs(victim);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ created: true });
    const organizationId = login.body.organizationId as string;
    expect(emulator.organization(organizationId)?.users).toMatchObject([{ userEmail: victim, emailVerified: true }]);
    expect(credentialsOf(organizationId)).not.toContain(attackerKey.publicKey);
    expect(credentialsOf(organizationId)).not.toContain(attackerPasskey.attestation.credentialId);
    // The attacker's key cannot act in the victim's account.
    expect((await rejectionOf(sdkClient(emulator, attackerKey, organizationId).stampLogin({ publicKey: createTestClientKey().publicKey }))).code).toBe(16);
  });

  it("never logs into a sub-organization holding the victim's email unverified, even one created directly at Turnkey", async () => {
    const victim = "direct@example.com";
    const attackerKey = createTestClientKey();
    const attackerPasskey = fakePasskey();
    const { subOrganizationId: planted } = await client.createSubOrganization({
      subOrganizationName: "planted",
      rootQuorumThreshold: 1,
      rootUsers: [
        {
          userName: "Mallory",
          userEmail: victim,
          apiKeys: [{ apiKeyName: "mallory", publicKey: attackerKey.publicKey, curveType: "API_KEY_CURVE_P256" }],
          authenticators: [{ authenticatorName: "mallory", ...attackerPasskey }],
          oauthProviders: [],
        },
      ],
    });

    const first = await otpLoginAs(victim);
    expect(first).toMatchObject({ status: 200, body: { created: true } });
    const organizationId = first.body.organizationId as string;
    expect(organizationId).not.toBe(planted);
    expect(credentialsOf(organizationId)).not.toContain(attackerKey.publicKey);
    expect(credentialsOf(organizationId)).not.toContain(attackerPasskey.attestation.credentialId);
    expect(emulator.organization(planted)?.users[0]?.emailVerified).toBe(false);

    const second = await otpLoginAs("Direct@Example.com");
    expect(second).toMatchObject({ status: 200, body: { created: false, organizationId } });
    const session = await createSessionVerifier({ trustedOrganizations: [organizationId], notarizerPublicKey: emulator.notarizerPublicKey }).verify(second.body.session as string);
    expect(session.organizationId).toBe(organizationId);
  });

  it("asks for the sign-up signature when a first OTP login must create the account, and creates nothing without it", async () => {
    const email = "first-time@example.com";
    const { key, verificationToken } = await verifiedByCode(email);
    const login = { verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) };
    const before = emulator.organization(emulator.parentOrganizationId)?.subOrganizationIds.length;

    expect(await handle("otp-login", login)).toEqual({ status: 400, body: { error: "invalid_request", message: expect.stringMatching(/^signupClientSignature is required/) } });
    const wrongUser = key.signSignup(verificationToken, { email, apiKeys: [{ apiKeyName: "x", publicKey: createTestClientKey().publicKey, curveType: "API_KEY_CURVE_P256" }] });
    expect(await handle("otp-login", { ...login, signupClientSignature: wrongUser })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/apiKeys does not match/) } });
    expect(emulator.organization(emulator.parentOrganizationId)?.subOrganizationIds.length).toBe(before);

    const answer = await handle("otp-login", { ...login, signupClientSignature: key.signSignup(verificationToken) });
    expect(answer).toMatchObject({ status: 200, body: { created: true } });
  });

  it("records a passkey sign-up's email verified when it comes with its verification token; OTP login then finds that account", async () => {
    const email = "passkey-first@example.com";
    const { key, verificationToken } = await verifiedByCode(email);
    const temporary = createTestClientKey();
    const passkey = fakePasskey();
    // The root user the handler creates: the temporary key as "Temporary sign-up key", 900 s by
    // default; the passkey as "Passkey" unless named. The client signs exactly that.
    const clientSignature = key.signSignup(verificationToken, {
      email,
      apiKeys: [{ apiKeyName: "Temporary sign-up key", publicKey: temporary.publicKey, curveType: "API_KEY_CURVE_P256", expirationSeconds: "900" }],
      authenticators: [{ authenticatorName: "Passkey", ...passkey }],
    });
    const signup = await handle("signup", { userName: "Ada", email, passkey, apiKey: { publicKey: temporary.publicKey }, verificationToken, clientSignature });
    expect(signup.status).toBe(201);
    const { subOrganizationId } = signup.body as { subOrganizationId: string };
    expect(emulator.organization(subOrganizationId)?.users[0]).toMatchObject({ userEmail: email, emailVerified: true });

    expect(await otpLoginAs(email)).toMatchObject({ status: 200, body: { created: false, organizationId: subOrganizationId } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPasskeySubOrganization, isTurnkeyFlowError } from "../../src/flows/index.js";
import { createTestClientKey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { fakePasskey, payloadOf, rejectionOf, sdkClient, type ApiClient } from "../emulator/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
});
afterAll(() => emulator.close());

describe("createPasskeySubOrganization", () => {
  it("creates the sub-organization with the passkey and temporary key; the frontend can then stampLogin", async () => {
    const temporary = createTestClientKey();
    const passkey = fakePasskey();
    const { subOrganizationId, userId } = await createPasskeySubOrganization({
      client,
      parentOrganizationId: emulator.parentOrganizationId,
      userName: "Ada",
      email: "ada@example.com",
      passkey: { ...passkey, authenticatorName: "Ada's laptop" },
      apiKey: { publicKey: temporary.publicKey, expirationSeconds: 300 },
    });
    const snapshot = emulator.organization(subOrganizationId);
    expect(snapshot?.parentOrganizationId).toBe(emulator.parentOrganizationId);
    expect(snapshot?.users).toHaveLength(1);
    expect(snapshot?.users[0]).toMatchObject({
      userId,
      userName: "Ada",
      userEmail: "ada@example.com",
      authenticators: [{ authenticatorName: "Ada's laptop", credentialId: passkey.attestation.credentialId, challenge: passkey.challenge }],
      apiKeys: [{ publicKey: temporary.publicKey, credentialType: "CREDENTIAL_TYPE_API_KEY_P256" }],
    });

    const session = createTestClientKey();
    const login = await sdkClient(emulator, temporary, subOrganizationId).stampLogin({ publicKey: session.publicKey });
    expect(payloadOf(login.session)).toMatchObject({ organization_id: subOrganizationId, user_id: userId, public_key: session.publicKey });
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

// X-Stamp-Webauthn: the emulator keeps each passkey's public key from its attestation and checks
// every assertion as Turnkey does (challenge = the body's, user present, relying party, signature),
// and resolves a login naming the parent organization to the one sub-organization holding the passkey.
import { createHash } from "node:crypto";
import { TurnkeyClient } from "@turnkey/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftwarePasskey, createTestClientKey, startTurnkeyEmulator, type SoftwarePasskey, type TurnkeyEmulator } from "../../src/testing/index.js";
import { readWebauthnStamp, assertionSignedBy } from "../../src/testing/emulator/webauthn-stamp.js";
import { payloadOf, rejectionOf, sdkClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
});
afterAll(() => emulator.close());

async function signUp(passkey: SoftwarePasskey, name = "Ada") {
  const { subOrganizationId, rootUserIds } = await sdkClient(emulator).createSubOrganization({
    subOrganizationName: name,
    rootQuorumThreshold: 1,
    rootUsers: [{ userName: name, apiKeys: [], oauthProviders: [], authenticators: [{ authenticatorName: "laptop", ...passkey.registration, attestation: { ...passkey.registration.attestation, transports: ["AUTHENTICATOR_TRANSPORT_INTERNAL"] } }] }],
  });
  return { subOrganizationId, userId: (rootUserIds ?? [])[0] as string };
}

function passkeyClient(passkey: { stamp: SoftwarePasskey["stamp"] }) {
  return new TurnkeyClient({ baseUrl: emulator.apiBaseUrl }, passkey);
}

function stampLogin(client: TurnkeyClient, organizationId: string, publicKey = createTestClientKey().publicKey) {
  return client.stampLogin({ type: "ACTIVITY_TYPE_STAMP_LOGIN", timestampMs: String(Date.now()), organizationId, parameters: { publicKey, expirationSeconds: "900" } });
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${emulator.apiBaseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, body: (await response.json()) as { code?: number; message?: string } };
}

/** A stamp of `body` by `passkey`, with one field of its JSON changed. */
async function alteredStamp(passkey: SoftwarePasskey, body: string, change: (stamp: Record<string, string>) => void): Promise<string> {
  const stamp = JSON.parse((await passkey.stamp(body)).stampHeaderValue) as Record<string, string>;
  change(stamp);
  return JSON.stringify(stamp);
}

describe("passkey login (stamp_login with X-Stamp-Webauthn)", () => {
  it("logs in the passkey's user when the request names its sub-organization", async () => {
    const passkey = createSoftwarePasskey();
    const { subOrganizationId, userId } = await signUp(passkey);
    const sessionKey = createTestClientKey().publicKey;
    const { activity } = await stampLogin(passkeyClient(passkey), subOrganizationId, sessionKey);
    expect(activity.organizationId).toBe(subOrganizationId);
    const session = activity.result.stampLoginResult?.session as string;
    expect(payloadOf(session)).toMatchObject({ organization_id: subOrganizationId, user_id: userId, public_key: sessionKey });
  });

  it("resolves a request naming the parent (what @turnkey/core's loginWithPasskey() sends) to the passkey's sub-organization", async () => {
    const passkey = createSoftwarePasskey();
    const { subOrganizationId, userId } = await signUp(passkey);
    const client = passkeyClient(passkey);
    const { activity } = await stampLogin(client, emulator.parentOrganizationId);
    expect(activity.organizationId).toBe(subOrganizationId);
    expect(payloadOf(activity.result.stampLoginResult?.session as string)).toMatchObject({ organization_id: subOrganizationId, user_id: userId });
    // Turnkey's whoami documents the same: the parent's id for a WebAuthn user whose sub-organization is unknown.
    expect(await client.getWhoami({ organizationId: emulator.parentOrganizationId })).toMatchObject({ organizationId: subOrganizationId, userId, username: "Ada" });
  });

  it("shows the passkey's public key from its attestation in get_user", async () => {
    const passkey = createSoftwarePasskey();
    const { subOrganizationId, userId } = await signUp(passkey);
    const { user } = await sdkClient(emulator).getUser({ organizationId: subOrganizationId, userId });
    expect(user.authenticators[0]?.credential).toEqual({ publicKey: passkey.publicKey, type: "CREDENTIAL_TYPE_WEBAUTHN_AUTHENTICATOR" });
    expect(user.authenticators[0]?.credentialId).toBe(passkey.credentialId);
  });

  it("refuses a passkey the emulator never registered, or whose user was deleted, in Turnkey's words", async () => {
    const stranger = await rejectionOf(stampLogin(passkeyClient(createSoftwarePasskey()), emulator.parentOrganizationId));
    expect(stranger).toMatchObject({ code: 16, message: expect.stringContaining("credential ID could not be found in organization or its parent organization") });
    const passkey = createSoftwarePasskey();
    const { subOrganizationId, userId } = await signUp(passkey);
    emulator.deleteUser(subOrganizationId, userId);
    expect(await rejectionOf(stampLogin(passkeyClient(passkey), subOrganizationId))).toMatchObject({ code: 16, message: expect.stringContaining("credential ID could not be found") });
  });

  it("refuses a parent-named login when the passkey is registered in two sub-organizations, and accepts either named", async () => {
    const passkey = createSoftwarePasskey();
    const first = await signUp(passkey, "first");
    await signUp(passkey, "second");
    const ambiguous = await rejectionOf(stampLogin(passkeyClient(passkey), emulator.parentOrganizationId));
    expect(ambiguous).toMatchObject({ code: 16, message: expect.stringContaining("more than one suborg associated with a credential ID") });
    expect((await stampLogin(passkeyClient(passkey), first.subOrganizationId)).activity.organizationId).toBe(first.subOrganizationId);
  });

  it("never resolves to a sub-organization of another parent", async () => {
    const passkey = createSoftwarePasskey();
    await signUp(passkey);
    const foreign = emulator.createOrganization();
    const error = await rejectionOf(stampLogin(passkeyClient(passkey), foreign.organizationId));
    expect(error).toMatchObject({ code: 16, message: expect.stringContaining("credential ID could not be found") });
  });

  it("refuses a login into another sub-organization than the passkey's (its user is not there)", async () => {
    const passkey = createSoftwarePasskey();
    await signUp(passkey);
    const other = await signUp(createSoftwarePasskey(), "other");
    expect((await rejectionOf(stampLogin(passkeyClient(passkey), other.subOrganizationId))).code).toBe(16);
  });
});

describe("assertion checks", () => {
  let passkey: SoftwarePasskey;
  let organizationId: string;
  const bodyFor = (organization: string) => JSON.stringify({ organizationId: organization });
  beforeAll(async () => {
    passkey = createSoftwarePasskey();
    organizationId = (await signUp(passkey)).subOrganizationId;
  });

  it("accepts the untouched stamp", async () => {
    const body = bodyFor(organizationId);
    expect((await post("/public/v1/query/whoami", body, { "X-Stamp-Webauthn": (await passkey.stamp(body)).stampHeaderValue })).status).toBe(200);
  });

  it("refuses a stamp made over another body (the challenge is the body's hash)", async () => {
    const stamp = (await passkey.stamp(bodyFor(organizationId))).stampHeaderValue;
    const answer = await post("/public/v1/query/whoami", JSON.stringify({ organizationId, other: 1 }), { "X-Stamp-Webauthn": stamp });
    expect(answer).toEqual({ status: 401, body: { code: 16, message: "could not verify WebAuthN signature", details: [] } });
  });

  it("refuses a changed signature, authenticator data, client data type, or a cleared user-present flag", async () => {
    const body = bodyFor(organizationId);
    const changes: ((stamp: Record<string, string>) => void)[] = [
      (stamp) => {
        const signature = Buffer.from(stamp.signature as string, "base64url");
        signature[signature.length - 1] = (signature[signature.length - 1] as number) ^ 1;
        stamp.signature = signature.toString("base64url");
      },
      (stamp) => {
        const data = Buffer.from(stamp.authenticatorData as string, "base64url");
        data[36] = (data[36] as number) ^ 1; // the sign counter: covered by the signature
        stamp.authenticatorData = data.toString("base64url");
      },
      (stamp) => {
        const data = Buffer.from(stamp.authenticatorData as string, "base64url");
        data[32] = (data[32] as number) & ~1;
        stamp.authenticatorData = data.toString("base64url");
      },
      (stamp) => {
        const clientData = JSON.parse(Buffer.from(stamp.clientDataJson as string, "base64url").toString()) as Record<string, unknown>;
        stamp.clientDataJson = Buffer.from(JSON.stringify({ ...clientData, type: "webauthn.create" })).toString("base64url");
      },
    ];
    for (const change of changes) {
      const answer = await post("/public/v1/query/whoami", body, { "X-Stamp-Webauthn": await alteredStamp(passkey, body, change) });
      expect(answer).toEqual({ status: 401, body: { code: 16, message: "could not verify WebAuthN signature", details: [] } });
    }
  });

  it("refuses a malformed header with 401, never a 5xx", async () => {
    const body = bodyFor(organizationId);
    const valid = JSON.parse((await passkey.stamp(body)).stampHeaderValue) as Record<string, string>;
    const malformed = [
      "not json",
      "[]",
      "null",
      JSON.stringify({ ...valid, signature: undefined }),
      JSON.stringify({ ...valid, credentialId: "" }),
      JSON.stringify({ ...valid, authenticatorData: "!!!" }),
      JSON.stringify({ ...valid, authenticatorData: "AAAA" }),
      JSON.stringify({ ...valid, signature: "A".repeat(200) }),
      JSON.stringify({ ...valid, clientDataJson: Buffer.from("not json").toString("base64url") }),
      JSON.stringify({ ...valid, credentialId: 42 }),
      "x".repeat(9000),
    ];
    for (const header of malformed) {
      const answer = await post("/public/v1/query/whoami", body, { "X-Stamp-Webauthn": header });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe(16);
      expect(answer.body.message).toMatch(/could not (extract webauthn stamp|verify WebAuthN signature)/);
    }
  });

  it("refuses two stamps on one request, and none", async () => {
    const body = bodyFor(organizationId);
    const both = await post("/public/v1/query/whoami", body, { "X-Stamp-Webauthn": (await passkey.stamp(body)).stampHeaderValue, "X-Stamp": "e30" });
    expect(both).toMatchObject({ status: 401, body: { code: 16, message: expect.stringContaining("exactly one stamp") } });
    const none = await post("/public/v1/query/whoami", body, {});
    expect(none.body.message).toBe("cannot authenticate public API activity request without a stamp (X-Stamp/X-Stamp-Webauthn header)");
  });

  it("checks the relying party the passkey was registered for", async () => {
    const body = bodyFor(organizationId);
    const assertion = readWebauthnStamp((await passkey.stamp(body)).stampHeaderValue, Buffer.from(body));
    const record = { authenticatorId: "a", authenticatorName: "a", credentialId: passkey.credentialId, publicKey: passkey.publicKey, transports: [], challenge: "", createdAtMs: 0 };
    expect(assertionSignedBy(assertion, { ...record, rpIdHash: createHash("sha256").update("localhost").digest("hex") })).toBe(true);
    expect(assertionSignedBy(assertion, { ...record, rpIdHash: createHash("sha256").update("example.com").digest("hex") })).toBe(false);
    expect(assertionSignedBy(assertion, { ...record, rpIdHash: createHash("sha256").update("localhost").digest("hex"), publicKey: createTestClientKey().publicKey })).toBe(false);
  });
});

import { ApiKeyStamper } from "@turnkey/api-key-stamper";
import { TurnkeyClient } from "@turnkey/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { generateP256KeyPairHex } from "../../src/testing/emulator/keys.js";
import { rejectionOf, sdkClient, subOrganizationWith } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let clock = Date.now();

beforeAll(async () => {
  emulator = await startTurnkeyEmulator({ now: () => clock });
});
afterAll(() => emulator.close());

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.apiBaseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, body: (await response.json()) as { code?: number; message?: string } };
}

async function stampOf(body: string, apiKey = emulator.apiKey) {
  const stamper = new ApiKeyStamper({ apiPublicKey: apiKey.publicKey, apiPrivateKey: apiKey.privateKey });
  return (await stamper.stamp(body)).stampHeaderValue;
}

describe("stamp verification", () => {
  const whoamiBody = () => JSON.stringify({ organizationId: emulator.parentOrganizationId });

  it("answers a correctly stamped request", async () => {
    const body = whoamiBody();
    const { status, body: answer } = await post("/public/v1/query/whoami", body, { "X-Stamp": await stampOf(body) });
    expect(status).toBe(200);
    expect(answer).toMatchObject({ organizationId: emulator.parentOrganizationId, organizationName: "Parent organization" });
  });

  it("refuses a request without X-Stamp with Turnkey's 401 / code 16", async () => {
    const { status, body } = await post("/public/v1/query/whoami", whoamiBody());
    expect(status).toBe(401);
    expect(body).toEqual({ code: 16, message: expect.stringContaining("X-Stamp"), details: [] });
  });

  it("refuses a stamp over a different body (the signature covers the exact bytes)", async () => {
    const stamp = await stampOf(whoamiBody());
    const tampered = JSON.stringify({ organizationId: emulator.parentOrganizationId, extra: 1 });
    const { status, body } = await post("/public/v1/query/whoami", tampered, { "X-Stamp": stamp });
    expect(status).toBe(401);
    expect(body.message).toMatch(/signature/);
  });

  it("refuses a stamp that is not base64url JSON, or has another scheme", async () => {
    expect((await post("/public/v1/query/whoami", whoamiBody(), { "X-Stamp": "%%%" })).status).toBe(401);
    const body = whoamiBody();
    const stamp = JSON.parse(Buffer.from(await stampOf(body), "base64url").toString()) as Record<string, string>;
    const otherScheme = Buffer.from(JSON.stringify({ ...stamp, scheme: "SIGNATURE_SCHEME_TK_API_SECP256K1" })).toString("base64url");
    const { status, body: answer } = await post("/public/v1/query/whoami", body, { "X-Stamp": otherScheme });
    expect(status).toBe(401);
    expect(answer.message).toMatch(/scheme/);
  });

  it("refuses a valid signature by a key it does not know", async () => {
    const stranger = sdkClient(emulator, generateP256KeyPairHex());
    const error = await rejectionOf(stranger.getWhoami());
    expect(error.name).toBe("TurnkeyRequestError");
    expect(error.code).toBe(16);
  });

});

describe("organization access", () => {
  it("lets the parent's key read its sub-organizations, not another parent's", async () => {
    const parent = sdkClient(emulator);
    const mine = await subOrganizationWith(parent, "mine@example.com");
    const user = await parent.getUser({ organizationId: mine.subOrganizationId, userId: mine.userId });
    expect(user.user.userEmail).toBe("mine@example.com");

    const foreign = emulator.createOrganization();
    const foreignClient = sdkClient(emulator, foreign.apiKey, foreign.organizationId);
    const theirs = await subOrganizationWith(foreignClient, "theirs@example.com");
    const denied = await rejectionOf(parent.getUser({ organizationId: theirs.subOrganizationId, userId: theirs.userId }));
    expect(denied.code).toBe(16);
    expect((await rejectionOf(parent.getUsers({ organizationId: foreign.organizationId }))).code).toBe(16);
    // And the other way round.
    expect((await rejectionOf(foreignClient.getUser({ organizationId: mine.subOrganizationId, userId: mine.userId }))).code).toBe(16);
  });

  it("refuses a deleted key on every call, with the very answer a key of another organization gets", async () => {
    const own = await startTurnkeyEmulator();
    try {
      const parent = sdkClient(own);
      const mine = await subOrganizationWith(parent, "deleted@example.com");
      const foreign = own.createOrganization();
      const theirs = await subOrganizationWith(sdkClient(own, foreign.apiKey, foreign.organizationId), "foreign@example.com");
      const foreignAnswer = await rejectionOf(parent.getUser({ organizationId: theirs.subOrganizationId, userId: theirs.userId }));
      expect(own.deleteApiKey(own.parentOrganizationId, own.apiKey.publicKey)).toBe(true);
      expect(own.deleteApiKey(own.parentOrganizationId, own.apiKey.publicKey)).toBe(false); // already gone
      const refusals = await Promise.all([
        rejectionOf(parent.getUser({ organizationId: mine.subOrganizationId, userId: mine.userId })),
        rejectionOf(parent.getWhoami()),
        rejectionOf(parent.getUsers({ organizationId: own.parentOrganizationId })),
        rejectionOf(parent.getSubOrgIds({ organizationId: own.parentOrganizationId })),
      ]);
      for (const refusal of [...refusals, foreignAnswer]) {
        expect(refusal).toMatchObject({ name: "TurnkeyRequestError", code: 16, message: expect.stringContaining("could not find public key in organization or its parent organization") });
      }
      // A key Turnkey never knew is answered the same way.
      expect(await rejectionOf(sdkClient(own, generateP256KeyPairHex()).getWhoami())).toMatchObject({ code: 16, message: foreignAnswer.message });
    } finally {
      await own.close();
    }
  });

  it("does not let a sub-organization's key act on its parent or siblings", async () => {
    const parent = sdkClient(emulator);
    const userKey = generateP256KeyPairHex();
    const first = await subOrganizationWith(parent, "first@example.com", [{ publicKey: userKey.publicKey }]);
    const second = await subOrganizationWith(parent, "second@example.com");
    const asUser = sdkClient(emulator, userKey, first.subOrganizationId);
    expect((await asUser.getWhoami()).organizationId).toBe(first.subOrganizationId);
    expect((await rejectionOf(asUser.getUsers({ organizationId: emulator.parentOrganizationId }))).code).toBe(16);
    expect((await rejectionOf(asUser.getUser({ organizationId: second.subOrganizationId, userId: second.userId }))).code).toBe(16);
  });

  it("answers 404 / code 5 for unknown organizations and users", async () => {
    const parent = sdkClient(emulator);
    expect((await rejectionOf(parent.getUsers({ organizationId: "00000000-0000-0000-0000-000000000000" }))).code).toBe(5);
    const mine = await subOrganizationWith(parent, "someone@example.com");
    expect((await rejectionOf(parent.getUser({ organizationId: mine.subOrganizationId, userId: "nobody" }))).code).toBe(5);
    expect(emulator.deleteUser(mine.subOrganizationId, mine.userId)).toBe(true);
    expect((await rejectionOf(parent.getUser({ organizationId: mine.subOrganizationId, userId: mine.userId }))).code).toBe(5);
  });

  it("refuses an API key once its expirationSeconds have passed", async () => {
    const temporary = generateP256KeyPairHex();
    const sub = await subOrganizationWith(sdkClient(emulator), "temp@example.com", [{ publicKey: temporary.publicKey, expirationSeconds: "60" }]);
    const asUser = sdkClient(emulator, temporary, sub.subOrganizationId);
    expect((await asUser.getWhoami()).userId).toBe(sub.userId);
    clock += 61_000;
    const error = await rejectionOf(asUser.getWhoami());
    expect(error.code).toBe(16);
    // Turnkey's wording, which @turnkey/core maps to SESSION_EXPIRED by substring; no key in it.
    expect(error.message).toContain("rpc error: code = Unauthenticated desc = expired api key publicKey");
    expect(error.message).not.toContain(temporary.publicKey);
  });
});

describe("compatibility", () => {
  it("works with @turnkey/http's TurnkeyClient unchanged", async () => {
    const stamper = new ApiKeyStamper({ apiPublicKey: emulator.apiKey.publicKey, apiPrivateKey: emulator.apiKey.privateKey });
    const client = new TurnkeyClient({ baseUrl: emulator.apiBaseUrl }, stamper);
    const whoami = await client.getWhoami({ organizationId: emulator.parentOrganizationId });
    expect(whoami.organizationId).toBe(emulator.parentOrganizationId);
    const created = await client.createSubOrganization({
      type: "ACTIVITY_TYPE_CREATE_SUB_ORGANIZATION_V8",
      timestampMs: String(Date.now()),
      organizationId: emulator.parentOrganizationId,
      parameters: {
        subOrganizationName: "via http",
        rootQuorumThreshold: 1,
        rootUsers: [{ userName: "http", userEmail: "http@example.com", apiKeys: [], authenticators: [], oauthProviders: [] }],
      },
    });
    expect(created.activity.status).toBe("ACTIVITY_STATUS_COMPLETED");
    const subOrganizationId = created.activity.result.createSubOrganizationResultV8?.subOrganizationId as string;
    const { organizationIds } = await client.getSubOrgIds({ organizationId: emulator.parentOrganizationId, filterType: "EMAIL", filterValue: "HTTP@example.com" });
    expect(organizationIds).toEqual([subOrganizationId]);
    const activity = await client.getActivity({ organizationId: emulator.parentOrganizationId, activityId: created.activity.id });
    expect(activity.activity.result.createSubOrganizationResultV8?.subOrganizationId).toBe(subOrganizationId);
  });

  it("answers unknown endpoints and unsupported activity versions with Turnkey errors", async () => {
    const body = JSON.stringify({ organizationId: emulator.parentOrganizationId });
    const unknown = await post("/public/v1/query/list_private_keys", body, { "X-Stamp": await stampOf(body) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe(5);
    const old = JSON.stringify({ type: "ACTIVITY_TYPE_INIT_OTP", timestampMs: "1", organizationId: emulator.parentOrganizationId, parameters: {} });
    const answer = await post("/public/v1/submit/init_otp", old, { "X-Stamp": await stampOf(old) });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/ACTIVITY_TYPE_INIT_OTP_V3/);
  });
});

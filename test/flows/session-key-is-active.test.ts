import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSessionVerifier, type SessionVerifier } from "../../src/index.js";
import { sessionKeyIsActive, type SessionKeyIsActiveOptions } from "../../src/flows/index.js";
import { createTestClientKey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { sdkClient, subOrganizationWith, type ApiClient } from "../helpers/testing/emulator-helpers.js";
import { callsTo, login, newUser, sessionFor, verdictOf, type TestUser } from "../helpers/flows/session-key-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let verifier: SessionVerifier;
let offsetMs = 0; // moves the policy's clock only: the emulator and the verifier keep real time

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
  verifier = createSessionVerifier({ trustedOrganizations: "any", notarizerPublicKey: emulator.notarizerPublicKey });
});
afterEach(() => {
  offsetMs = 0;
});
afterAll(() => emulator.close());

function activeKey(options: Partial<SessionKeyIsActiveOptions> = {}) {
  return sessionKeyIsActive({ client, parentOrganizationId: emulator.parentOrganizationId, now: () => Date.now() + offsetMs, ...options });
}

async function loggedIn(user: TestUser, extra: { invalidateExisting?: boolean } = {}) {
  const { token, key } = await login(emulator, client, user, extra);
  return { session: await verifier.verify(token), key };
}

/** Deletes `publicKey` of `user` with DELETE_API_KEYS through the SDK, stamped by another session key of that user (write access in the sub-organization). */
async function deleteWithSdk(user: TestUser, publicKey: string, stamper: { publicKey: string; privateKey: string }) {
  const { apiKeys } = await client.getApiKeys({ organizationId: user.subOrganizationId, userId: user.userId });
  const apiKeyId = apiKeys.find((apiKey) => apiKey.credential.publicKey.toLowerCase() === publicKey.toLowerCase())?.apiKeyId as string;
  await sdkClient(emulator, stamper, user.subOrganizationId).deleteApiKeys({ organizationId: user.subOrganizationId, userId: user.userId, apiKeyIds: [apiKeyId] });
}

describe("sessionKeyIsActive: answers", () => {
  it("grants a session whose key is an active API key of its user", async () => {
    const { session } = await loggedIn(await newUser(client));
    const policy = activeKey();
    expect(policy.policyName).toBe("sessionKeyIsActive");
    expect(await verdictOf(policy, session)).toBe("granted");
    // Turnkey's hex may differ in case from the JWT's: compared case-insensitively.
    expect(await verdictOf(activeKey(), { ...session, publicKey: session.publicKey.toUpperCase() })).toBe("granted");
  });

  it("refuses a key deleted with deleteApiKeys (401 session_revoked): at once when not cached, after ttlMs when cached", async () => {
    const user = await newUser(client);
    const doomed = await loggedIn(user);
    const other = await loggedIn(user);
    const cachedPolicy = activeKey({ ttlMs: 30_000 });
    expect(await verdictOf(cachedPolicy, doomed.session)).toBe("granted");

    await deleteWithSdk(user, doomed.session.publicKey, other.key);
    expect(await verdictOf(activeKey(), doomed.session)).toBe("session_revoked");
    expect(await verdictOf(cachedPolicy, doomed.session)).toBe("granted"); // the TTL window
    offsetMs = 30_001;
    expect(await verdictOf(cachedPolicy, doomed.session)).toBe("session_revoked");
    expect(await verdictOf(cachedPolicy, other.session)).toBe("granted");
    const refusal = await Promise.resolve().then(() => cachedPolicy({ session: doomed.session, request: {} as never })).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "session_revoked", status: 401, message: expect.stringContaining("no longer an active API key") });
  });

  it("refuses the earlier sessions of a user who logged in with invalidateExisting, not the new one", async () => {
    const user = await newUser(client);
    const earlier = await loggedIn(user);
    const policy = activeKey({ ttlMs: 0 });
    expect(await verdictOf(policy, earlier.session)).toBe("granted");
    const later = await loggedIn(user, { invalidateExisting: true });
    expect(await verdictOf(policy, earlier.session)).toBe("session_revoked");
    expect(await verdictOf(policy, later.session)).toBe("granted");
  });

  it("refuses the oldest session once the user's 11th expiring key evicted it, as Turnkey keeps 10", async () => {
    const user = await newUser(client);
    const sessions = [];
    for (let index = 0; index < 11; index++) sessions.push((await loggedIn(user)).session);
    const policy = activeKey({ ttlMs: 0 });
    expect(await verdictOf(policy, sessions[0]!)).toBe("session_revoked");
    for (const session of sessions.slice(1)) expect(await verdictOf(policy, session)).toBe("granted");
  });

  it("refuses an API key past createdAt + expirationSeconds, even if Turnkey still lists it", async () => {
    const key = createTestClientKey();
    const user = await subOrganizationWith(client, "expiring@example.com", [{ publicKey: key.publicKey, expirationSeconds: "1" }]);
    const session = sessionFor(user.subOrganizationId, user.userId, key.publicKey);
    expect(await verdictOf(activeKey(), session)).toBe("granted");
    offsetMs = 2000;
    expect(await verdictOf(activeKey(), session)).toBe("session_revoked");
    const { apiKeys } = await client.getApiKeys({ organizationId: user.subOrganizationId, userId: user.userId });
    expect(apiKeys.map((apiKey) => apiKey.credential.publicKey)).toContain(key.publicKey.toLowerCase());
  });

  it("refuses another user's key of the same organization, and a deleted user", async () => {
    const mine = createTestClientKey();
    const theirs = createTestClientKey();
    const { subOrganizationId, rootUserIds } = await client.createSubOrganization({
      subOrganizationName: "two users",
      rootQuorumThreshold: 1,
      rootUsers: [mine, theirs].map((key, index) => ({
        userName: `user ${index}`,
        apiKeys: [{ apiKeyName: "key", publicKey: key.publicKey, curveType: "API_KEY_CURVE_P256" as const }],
        authenticators: [],
        oauthProviders: [],
      })),
    });
    const [me, them] = rootUserIds as [string, string];
    const policy = activeKey();
    expect(await verdictOf(policy, sessionFor(subOrganizationId, me, mine.publicKey))).toBe("granted");
    expect(await verdictOf(policy, sessionFor(subOrganizationId, me, theirs.publicKey))).toBe("session_revoked");
    expect(emulator.deleteUser(subOrganizationId, them)).toBe(true);
    expect(await verdictOf(policy, sessionFor(subOrganizationId, them, theirs.publicKey))).toBe("session_revoked");
  });

  it("refuses an organization the parent's key cannot read as untrusted_organization, after one getWhoami confirms the key", async () => {
    const foreign = emulator.createOrganization();
    const key = createTestClientKey();
    const stranger = await subOrganizationWith(sdkClient(emulator, foreign.apiKey, foreign.organizationId), "stranger@example.com", [{ publicKey: key.publicKey }]);
    const unavailable: unknown[] = [];
    const policy = activeKey({ onUnavailable: (error) => unavailable.push(error) });
    const whoamiBefore = callsTo(emulator, "/public/v1/query/whoami");
    expect(await verdictOf(policy, sessionFor(stranger.subOrganizationId, stranger.userId, key.publicKey))).toBe("untrusted_organization");
    expect(callsTo(emulator, "/public/v1/query/whoami")).toBe(whoamiBefore + 1);
    expect(unavailable).toEqual([]);
  });
});

describe("sessionKeyIsActive: cache and coalescing", () => {
  it("reuses a refusal for deniedTtlMs, never past the session's exp", async () => {
    const user = await newUser(client);
    const gone = sessionFor(user.subOrganizationId, user.userId, createTestClientKey().publicKey);
    const policy = activeKey({ deniedTtlMs: 5000 });
    const before = callsTo(emulator);
    expect(await verdictOf(policy, gone)).toBe("session_revoked");
    expect(await verdictOf(policy, gone)).toBe("session_revoked");
    expect(callsTo(emulator)).toBe(before + 1);
    offsetMs = 5001;
    expect(await verdictOf(policy, gone)).toBe("session_revoked");
    expect(callsTo(emulator)).toBe(before + 2);
    const endingSoon = { ...gone, expiresAt: Math.floor((Date.now() + offsetMs) / 1000) + 1 };
    expect(await verdictOf(policy, endingSoon)).toBe("session_revoked"); // same key: still cached
    policy.clear();
    expect(await verdictOf(policy, endingSoon)).toBe("session_revoked");
    offsetMs += 2000; // past that session's exp: its refusal was not kept
    expect(await verdictOf(policy, endingSoon)).toBe("session_revoked");
    expect(callsTo(emulator)).toBe(before + 4);
  });

  it("coalesces concurrent checks of one user's sessions into one getApiKeys call", async () => {
    const user = await newUser(client);
    const first = await loggedIn(user);
    const second = await loggedIn(user);
    const policy = activeKey();
    await emulator.faults.set({ kind: "slow", delayMs: 100, endpoint: "/public/v1/query/get_api_keys" });
    try {
      const before = callsTo(emulator);
      const verdicts = await Promise.all(Array.from({ length: 20 }, (_, index) => verdictOf(policy, (index % 2 === 0 ? first : second).session)));
      expect(verdicts).toEqual(Array(20).fill("granted"));
      expect(callsTo(emulator)).toBe(before + 1);
    } finally {
      await emulator.faults.clear();
    }
  });

  it("answers a cached session synchronously, and keeps at most maxEntries session keys", async () => {
    const user = await newUser(client);
    const sessions = [(await loggedIn(user)).session, (await loggedIn(user)).session, (await loggedIn(user)).session];
    const policy = activeKey({ maxEntries: 2 });
    const before = callsTo(emulator);
    for (const session of sessions) expect(await verdictOf(policy, session)).toBe("granted");
    expect(callsTo(emulator)).toBe(before + 3);
    expect(policy({ session: sessions[2]!, request: {} as never })).toBe(true); // cached: no promise
    expect(await verdictOf(policy, sessions[0]!)).toBe("granted"); // evicted: asked again
    expect(callsTo(emulator)).toBe(before + 4);
  });

  it("validates its options with a TypeError naming the option", () => {
    const base = { client, parentOrganizationId: "parent" };
    expect(() => sessionKeyIsActive({ ...base, client: { getApiKeys: client.getApiKeys } as never })).toThrow(/getWhoami/);
    expect(() => sessionKeyIsActive({ ...base, parentOrganizationId: "" })).toThrow(/parentOrganizationId/);
    expect(() => sessionKeyIsActive({ ...base, ttlMs: -1 })).toThrow(/"ttlMs"/);
    expect(() => sessionKeyIsActive({ ...base, maxEntries: 0 })).toThrow(/"maxEntries"/);
    expect(() => sessionKeyIsActive({ ...base, onUnavailable: "log" as never })).toThrow(/"onUnavailable"/);
  });
});

import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../examples/express/app.js";
import { createSessionVerifier, isTurnkeyAuthError, type TurnkeySession } from "../../src/index.js";
import { isTurnkeyFlowError, subOrganizationsOf } from "../../src/flows/index.js";
import { createTestClientKey, startTurnkeyEmulator, type EmulatorFault, type TurnkeyEmulator } from "../../src/testing/index.js";
import { generateP256KeyPairHex } from "../../src/testing/emulator/keys.js";
import { rejectionOf, sdkClient, subOrganizationWith, verifiedToken, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let mine: { subOrganizationId: string; userId: string };
let theirs: { subOrganizationId: string; userId: string };
let clock = Date.now();

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
  mine = await subOrganizationWith(client, "mine@example.com");
  const foreign = emulator.createOrganization();
  theirs = await subOrganizationWith(sdkClient(emulator, foreign.apiKey, foreign.organizationId), "theirs@example.com");
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

function sessionOf(organizationId: string, userId: string): TurnkeySession {
  return { organizationId, userId } as TurnkeySession;
}

function callsTo(path: string, on: TurnkeyEmulator = emulator): number {
  return on.requests.filter((request) => request.path === path).length;
}

function getUserCalls(): number {
  return callsTo("/public/v1/query/get_user");
}

function trust(options: Partial<Parameters<typeof subOrganizationsOf>[0]> = {}) {
  return subOrganizationsOf({ client, parentOrganizationId: emulator.parentOrganizationId, now: () => clock, ...options });
}

describe("subOrganizationsOf: answers", () => {
  it("trusts a user of one of the parent's sub-organizations", async () => {
    expect(await trust()(mine.subOrganizationId, sessionOf(mine.subOrganizationId, mine.userId))).toBe(true);
  });

  it("does not trust another parent's sub-organization, an unknown user, or the parent itself by default", async () => {
    const check = trust();
    expect(await check(theirs.subOrganizationId, sessionOf(theirs.subOrganizationId, theirs.userId))).toBe(false);
    expect(await check(mine.subOrganizationId, sessionOf(mine.subOrganizationId, "no-such-user"))).toBe(false);
    const parentUser = emulator.organization(emulator.parentOrganizationId)?.users[0]?.userId as string;
    expect(await check(emulator.parentOrganizationId, sessionOf(emulator.parentOrganizationId, parentUser))).toBe(false);
    expect(await trust({ includeParent: true })(emulator.parentOrganizationId, sessionOf(emulator.parentOrganizationId, parentUser))).toBe(true);
  });

  it("stops trusting a deleted user once the positive answer expires", async () => {
    const doomed = await subOrganizationWith(client, "doomed@example.com");
    const check = trust({ ttlMs: 1000 });
    const session = sessionOf(doomed.subOrganizationId, doomed.userId);
    expect(await check(doomed.subOrganizationId, session)).toBe(true);
    emulator.deleteUser(doomed.subOrganizationId, doomed.userId);
    expect(await check(doomed.subOrganizationId, session)).toBe(true); // cached
    clock += 1001;
    expect(await check(doomed.subOrganizationId, session)).toBe(false);
  });

  it("works as the verifier's trustedOrganizations, end to end with emulator sessions", async () => {
    const verifier = createSessionVerifier({ trustedOrganizations: trust(), notarizerPublicKey: emulator.notarizerPublicKey });
    const { key, verificationToken } = await verifiedToken(emulator, client, "mine@example.com");
    const { session } = await client.otpLogin({ organizationId: mine.subOrganizationId, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) });
    expect((await verifier.verify(session)).organizationId).toBe(mine.subOrganizationId);

    const stamped = createTestClientKey();
    const foreign = emulator.createOrganization();
    const foreignApi = sdkClient(emulator, foreign.apiKey, foreign.organizationId);
    const sub = await subOrganizationWith(foreignApi, "foreign@example.com", [{ publicKey: stamped.publicKey }]);
    const foreignSession = (await sdkClient(emulator, stamped, sub.subOrganizationId).stampLogin({ publicKey: createTestClientKey().publicKey })).session;
    const error = await rejectionOf(verifier.verify(foreignSession));
    expect(isTurnkeyAuthError(error) && error.code).toBe("untrusted_organization");
  });

  it("has a policy form and validates its options", async () => {
    const check = trust();
    expect(check.policy.policyName).toBe("subOrganizationsOf");
    expect(await check.policy({ session: sessionOf(theirs.subOrganizationId, theirs.userId), request: {} as never })).toBe(false);
    expect(() => subOrganizationsOf({ client, parentOrganizationId: "" })).toThrow(/parentOrganizationId/);
    expect(() => subOrganizationsOf({ client: {} as ApiClient, parentOrganizationId: "x" })).toThrow(/client/);
    expect(() => subOrganizationsOf({ client: { getUser: client.getUser } as ApiClient, parentOrganizationId: "x" })).toThrow(/getWhoami/);
    expect(() => trust({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe("subOrganizationsOf: cache and coalescing", () => {
  it("caches a positive answer for ttlMs", async () => {
    const check = trust({ ttlMs: 5000 });
    const session = sessionOf(mine.subOrganizationId, mine.userId);
    const before = getUserCalls();
    expect(await check(mine.subOrganizationId, session)).toBe(true);
    expect(await check(mine.subOrganizationId, session)).toBe(true);
    expect(getUserCalls()).toBe(before + 1);
    clock += 5001;
    expect(await check(mine.subOrganizationId, session)).toBe(true);
    expect(getUserCalls()).toBe(before + 2);
  });

  it("caches a negative answer separately, for deniedTtlMs", async () => {
    const check = trust({ ttlMs: 60_000, deniedTtlMs: 2000 });
    const foreign = sessionOf(theirs.subOrganizationId, theirs.userId);
    const before = getUserCalls();
    expect(await check(theirs.subOrganizationId, foreign)).toBe(false);
    expect(await check(theirs.subOrganizationId, foreign)).toBe(false);
    expect(getUserCalls()).toBe(before + 1);
    clock += 2001;
    expect(await check(theirs.subOrganizationId, foreign)).toBe(false);
    expect(getUserCalls()).toBe(before + 2);
    // The denial cache did not touch the positive one.
    expect(await check(mine.subOrganizationId, sessionOf(mine.subOrganizationId, mine.userId))).toBe(true);
  });

  it("clear() forgets every answer", async () => {
    const check = trust();
    const session = sessionOf(mine.subOrganizationId, mine.userId);
    await check(mine.subOrganizationId, session);
    const before = getUserCalls();
    check.clear();
    await check(mine.subOrganizationId, session);
    expect(getUserCalls()).toBe(before + 1);
  });

  it("coalesces concurrent checks of one organization and user into one lookup", async () => {
    const check = trust();
    const session = sessionOf(mine.subOrganizationId, mine.userId);
    await emulator.faults.set({ kind: "slow", delayMs: 100 });
    const before = getUserCalls();
    const answers = await Promise.all(Array.from({ length: 20 }, () => check(mine.subOrganizationId, session)));
    expect(answers).toEqual(Array(20).fill(true));
    expect(getUserCalls()).toBe(before + 1);
  });
});

describe("subOrganizationsOf: Turnkey unavailable", () => {
  const outages: EmulatorFault[] = [{ kind: "down" }, { kind: "status500" }, { kind: "malformedJson" }, { kind: "reset" }];

  for (const fault of outages) {
    it(`${fault.kind}: throws unavailable (503), never trusts, caches nothing, recovers`, async () => {
      const causes: unknown[] = [];
      const check = trust({ deniedTtlMs: 60_000, onUnavailable: (cause) => causes.push(cause) });
      const session = sessionOf(mine.subOrganizationId, mine.userId);
      await emulator.faults.set(fault);
      const error = await rejectionOf(check(mine.subOrganizationId, session));
      expect(isTurnkeyAuthError(error)).toBe(true);
      expect(error).toMatchObject({ code: "unavailable", status: 503 });
      // The underlying error goes to onUnavailable, not into the answered error.
      expect(error.cause).toBeUndefined();
      expect(causes).toHaveLength(1);
      expect(causes[0]).toBeInstanceOf(Error);
      await emulator.faults.clear();
      expect(await check(mine.subOrganizationId, session)).toBe(true);
    });
  }

  it("slow: times out after timeoutMs with unavailable, then recovers", async () => {
    const check = trust({ timeoutMs: 150 });
    const session = sessionOf(mine.subOrganizationId, mine.userId);
    await emulator.faults.set({ kind: "slow", delayMs: 2000 });
    const started = performance.now();
    const error = await rejectionOf(check(mine.subOrganizationId, session));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error).toMatchObject({ code: "unavailable", message: expect.stringContaining("in time") });
    await emulator.faults.clear();
    expect(await check(mine.subOrganizationId, session)).toBe(true);
  });

  it("makes the verifier answer 503, not 401, during an outage", async () => {
    const verifier = createSessionVerifier({ trustedOrganizations: trust(), notarizerPublicKey: emulator.notarizerPublicKey });
    const { key, verificationToken } = await verifiedToken(emulator, client, "mine@example.com");
    const { session } = await client.otpLogin({ organizationId: mine.subOrganizationId, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) });
    await emulator.faults.set({ kind: "status500" });
    expect(await rejectionOf(verifier.verify(session))).toMatchObject({ code: "unavailable", status: 503 });
  });

  it("makes the Express example answer an outage with a JSON 503, not the framework's error page", async () => {
    const app = createApp({ auth: { trustedOrganizations: trust(), notarizerPublicKey: emulator.notarizerPublicKey } });
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { key, verificationToken } = await verifiedToken(emulator, client, "mine@example.com");
      const { session } = await client.otpLogin({ organizationId: mine.subOrganizationId, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) });
      await emulator.faults.set({ kind: "down" });
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`, { headers: { authorization: `Bearer ${session}` } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: "unavailable", message: expect.stringContaining("Turnkey is unavailable") });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("subOrganizationsOf: Turnkey refusing the parent's own API key is an outage, not a verdict", () => {
  const whoamiCalls = (on?: TurnkeyEmulator) => callsTo("/public/v1/query/whoami", on);

  it("a wrong parent key (one Turnkey never knew): 503 unavailable and onUnavailable, for every user, nothing cached", async () => {
    const causes: unknown[] = [];
    const wrong = subOrganizationsOf({
      client: sdkClient(emulator, generateP256KeyPairHex()),
      parentOrganizationId: emulator.parentOrganizationId,
      now: () => clock,
      deniedTtlMs: 60_000,
      onUnavailable: (cause) => causes.push(cause),
    });
    const before = getUserCalls();
    for (const who of [mine, theirs, mine]) {
      const error = await rejectionOf(wrong(who.subOrganizationId, sessionOf(who.subOrganizationId, who.userId)));
      expect(isTurnkeyAuthError(error)).toBe(true);
      expect(error).toMatchObject({ code: "unavailable", status: 503 });
      expect(error.cause).toBeUndefined();
    }
    // Every check asked Turnkey again: no negative answer was cached.
    expect(getUserCalls()).toBe(before + 3);
    expect(causes).toHaveLength(3);
    expect(causes[0]).toMatchObject({ name: "TurnkeyFlowError", code: "upstream_auth_failed", turnkeyCode: 16, message: expect.stringContaining("API key"), cause: { name: "TurnkeyRequestError", code: 16 } });
  });

  it("makes the verifier answer 503, not 401 untrusted_organization, for this service's own users", async () => {
    const wrong = subOrganizationsOf({ client: sdkClient(emulator, generateP256KeyPairHex()), parentOrganizationId: emulator.parentOrganizationId });
    const verifier = createSessionVerifier({ trustedOrganizations: wrong, notarizerPublicKey: emulator.notarizerPublicKey });
    const { key, verificationToken } = await verifiedToken(emulator, client, "mine@example.com");
    const { session } = await client.otpLogin({ organizationId: mine.subOrganizationId, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) });
    expect(await rejectionOf(verifier.verify(session))).toMatchObject({ code: "unavailable", status: 503 });
  });

  it("a deleted parent key: trusted before, unavailable after (never untrusted), for its users and strangers alike", async () => {
    const own = await startTurnkeyEmulator();
    try {
      const ownClient = sdkClient(own);
      const user = await subOrganizationWith(ownClient, "deleted-key@example.com");
      const other = await subOrganizationWith(ownClient, "other@example.com");
      const stranger = await subOrganizationWith(sdkClient(own, ...((o) => [o.apiKey, o.organizationId] as const)(own.createOrganization())), "stranger@example.com");
      const causes: unknown[] = [];
      const check = subOrganizationsOf({ client: ownClient, parentOrganizationId: own.parentOrganizationId, onUnavailable: (cause) => causes.push(cause) });
      expect(await check(user.subOrganizationId, sessionOf(user.subOrganizationId, user.userId))).toBe(true);

      expect(own.deleteApiKey(own.parentOrganizationId, own.apiKey.publicKey)).toBe(true);
      check.clear(); // forget the cached "yes" (and the key's last confirmation)
      for (const who of [user, other, stranger]) {
        expect(await rejectionOf(check(who.subOrganizationId, sessionOf(who.subOrganizationId, who.userId)))).toMatchObject({ code: "unavailable", status: 503 });
      }
      expect(causes).toHaveLength(3);
      expect(causes.every((cause) => isTurnkeyFlowError(cause) && cause.code === "upstream_auth_failed")).toBe(true);
    } finally {
      await own.close();
    }
  });

  it("a foreign organization with a good key is still untrusted: one getWhoami confirms the key for many refusals", async () => {
    const check = trust({ onUnavailable: () => expect.unreachable("the parent's key is good") });
    const strangers = await Promise.all(
      Array.from({ length: 5 }, async (_, index) => {
        const foreign = emulator.createOrganization();
        return subOrganizationWith(sdkClient(emulator, foreign.apiKey, foreign.organizationId), `stranger-${index}@example.com`);
      }),
    );
    const before = whoamiCalls();
    const answers = await Promise.all(strangers.map((who) => check(who.subOrganizationId, sessionOf(who.subOrganizationId, who.userId))));
    expect(answers).toEqual(Array(5).fill(false));
    expect(whoamiCalls()).toBe(before + 1); // concurrent refusals share one confirmation
    // Cached as untrusted (deniedTtlMs), and the confirmation is relied on for a while.
    expect(await check(theirs.subOrganizationId, sessionOf(theirs.subOrganizationId, theirs.userId))).toBe(false);
    expect(whoamiCalls()).toBe(before + 1);
    clock += 10_001;
    expect(await check(theirs.subOrganizationId, sessionOf(theirs.subOrganizationId, theirs.userId))).toBe(false);
    expect(whoamiCalls()).toBe(before + 2);
  });

  it("a confirmation that cannot be had (Turnkey failing on getWhoami) is unavailable too", async () => {
    const causes: unknown[] = [];
    const check = trust({ onUnavailable: (cause) => causes.push(cause) });
    await emulator.faults.set({ kind: "status500", endpoint: "/public/v1/query/whoami" });
    const error = await rejectionOf(check(theirs.subOrganizationId, sessionOf(theirs.subOrganizationId, `${theirs.userId}-other`)));
    expect(error).toMatchObject({ code: "unavailable", status: 503 });
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ name: "TurnkeyRequestError", code: 13 });
    await emulator.faults.clear();
    expect(await check(theirs.subOrganizationId, sessionOf(theirs.subOrganizationId, `${theirs.userId}-other`))).toBe(false);
  });
});

import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type SessionStore } from "../../src/index.js";
import { getOrCreateSubOrganization } from "../../src/flows/index.js";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { sdkClient } from "../helpers/testing/emulator-helpers.js";
import { instance, oauthLoginBody, otpLoginBody, slowCreate, subOrganizationCount } from "../helpers/flows/two-instances.js";

let emulator: TurnkeyEmulator;

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

/** A memory store that records every key it is asked about. */
function recordingStore(): SessionStore & { keys: Set<string> } {
  const inner = createMemoryStore();
  const keys = new Set<string>();
  return {
    keys,
    get: (key) => (keys.add(key), inner.get(key)),
    set: (key, value, ttlMs) => (keys.add(key), inner.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) => (keys.add(key), inner.setIfAbsent(key, value, ttlMs)),
    delete: (key) => (keys.add(key), inner.delete(key)),
  };
}

/** The lock key of an email sign-up, as documented: sha-256 hex of parent, filter type and normalized contact. */
function emailLockKey(contact: string): string {
  return `signup:${createHash("sha256").update(`${emulator.parentOrganizationId}\u0000EMAIL\u0000${contact.trim().toLowerCase()}`).digest("hex")}`;
}

const down: SessionStore = {
  get: () => Promise.reject(new Error("store down")),
  set: () => Promise.reject(new Error("store down")),
  setIfAbsent: () => Promise.reject(new Error("store down")),
  delete: () => Promise.reject(new Error("store down")),
};

describe("one sub-organization per user across instances", () => {
  it("without a shared store, two instances racing on one contact create two (the race the lock closes)", async () => {
    const [a, b] = [instance(emulator), instance(emulator)];
    const bodies = [await otpLoginBody(emulator, a, "nolock@example.com"), await otpLoginBody(emulator, b, "nolock@example.com")];
    await emulator.faults.set(slowCreate);
    const before = subOrganizationCount(emulator);
    const answers = await Promise.all([a("otp-login", bodies[0]), b("otp-login", bodies[1])]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(subOrganizationCount(emulator)).toBe(before + 2);
  });

  it("two instances sharing a store: concurrent first OTP logins for one contact create exactly one, and both log into it", async () => {
    const store = recordingStore();
    const [a, b] = [instance(emulator, store), instance(emulator, store)];
    const bodies = [await otpLoginBody(emulator, a, "Race@Example.com"), await otpLoginBody(emulator, b, "race@example.com")];
    await emulator.faults.set(slowCreate);
    const before = subOrganizationCount(emulator);
    const answers = await Promise.all([a("otp-login", bodies[0]), b("otp-login", bodies[1])]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const results = answers.map((answer) => answer.body as { organizationId: string; created: boolean });
    expect(subOrganizationCount(emulator)).toBe(before + 1);
    expect(results[0]?.organizationId).toBe(results[1]?.organizationId);
    expect(results.map((result) => result.created).sort()).toEqual([false, true]);
    // The contact never appears in the store: one hashed key, released once the account exists.
    expect([...store.keys].filter((key) => key.startsWith("signup:"))).toEqual([emailLockKey("race@example.com")]);
    expect([...store.keys].join(" ")).not.toMatch(/race@example/i);
    expect(await store.get(emailLockKey("race@example.com"))).toBeUndefined();
  });

  it("the same for concurrent first OAuth logins of one OIDC identity", async () => {
    const store = createMemoryStore();
    const [a, b] = [instance(emulator, store), instance(emulator, store)];
    await emulator.faults.set(slowCreate);
    const before = subOrganizationCount(emulator);
    const answers = await Promise.all([a("oauth-login", oauthLoginBody(emulator, "oidc-race")), b("oauth-login", oauthLoginBody(emulator, "oidc-race"))]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const ids = answers.map((answer) => (answer.body as { organizationId: string }).organizationId);
    expect(ids[0]).toBe(ids[1]);
    expect(subOrganizationCount(emulator)).toBe(before + 1);
  });

  it("a store failure answers 503 unavailable and creates nothing", async () => {
    const handle = instance(emulator, down);
    const before = subOrganizationCount(emulator);
    const answer = await handle("otp-login", await otpLoginBody(emulator, handle, "down@example.com"));
    expect(answer).toMatchObject({ status: 503, body: { error: "unavailable" } });
    expect(JSON.stringify(answer.body)).not.toContain("down@example.com");
    expect(subOrganizationCount(emulator)).toBe(before);
    const oauth = await handle("oauth-login", oauthLoginBody(emulator, "oidc-down"));
    expect(oauth).toMatchObject({ status: 503, body: { error: "unavailable" } });
    expect(subOrganizationCount(emulator)).toBe(before);
  });

  it("a store that hangs is bounded by timeoutMs: 503, nothing created", async () => {
    const hanging: SessionStore = { ...down, setIfAbsent: () => new Promise(() => undefined) };
    const handle = instance(emulator, hanging, 300);
    const before = subOrganizationCount(emulator);
    const started = Date.now();
    expect(await handle("otp-login", await otpLoginBody(emulator, handle, "hang@example.com"))).toMatchObject({ status: 503, body: { error: "unavailable" } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(subOrganizationCount(emulator)).toBe(before);
  });

  it("a lock left by a crashed holder delays the next sign-up until its TTL, then it proceeds", async () => {
    const store = createMemoryStore();
    await store.setIfAbsent(emailLockKey("crashed@example.com"), "a crashed instance", 500);
    const handle = instance(emulator, store);
    const before = subOrganizationCount(emulator);
    const started = Date.now();
    const answer = await handle("otp-login", await otpLoginBody(emulator, handle, "crashed@example.com"));
    expect(answer).toMatchObject({ status: 200, body: { created: true } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(subOrganizationCount(emulator)).toBe(before + 1);
  });

  it("a lock held longer than the flow's timeoutMs: 503, nothing created, the holder's lock untouched", async () => {
    const store = createMemoryStore();
    const key = emailLockKey("held@example.com");
    await store.setIfAbsent(key, "another instance", 60_000);
    const handle = instance(emulator, store, 400);
    const before = subOrganizationCount(emulator);
    const started = Date.now();
    const answer = await handle("otp-login", await otpLoginBody(emulator, handle, "held@example.com"));
    expect(answer).toMatchObject({ status: 503, body: { error: "unavailable", message: expect.stringMatching(/in progress/) } });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(subOrganizationCount(emulator)).toBe(before);
    expect(await store.get(key)).toBe("another instance");
  });

  it("getOrCreateSubOrganization takes the store; finding an existing account never needs it", async () => {
    const handle = instance(emulator);
    const { verificationToken, signupClientSignature } = await otpLoginBody(emulator, handle, "helper@example.com");
    const input = { client: sdkClient(emulator), parentOrganizationId: emulator.parentOrganizationId, otpSignerPublicKey: emulator.otpSignerPublicKey, verificationToken, signupClientSignature };
    await expect(getOrCreateSubOrganization({ ...input, store: {} as SessionStore })).rejects.toThrow(TypeError);
    expect(() => instance(emulator, { get: () => Promise.resolve(undefined) } as unknown as SessionStore)).toThrow(/store/);
    const store = createMemoryStore();
    const created = await getOrCreateSubOrganization({ ...input, store });
    expect(created).toMatchObject({ created: true });
    expect(await getOrCreateSubOrganization({ ...input, store: down })).toEqual({ subOrganizationId: created.subOrganizationId, created: false });
  });
});

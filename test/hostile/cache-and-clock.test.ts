// The verification cache under clock changes, trust changes, concurrency and floods (issue 6).
// Cache behaviour is observed from outside: a cache hit returns the very same frozen session
// object, a miss builds a new one; and signature checks are counted with a spy on node:crypto's
// verify, which the node backend calls once per ECDSA verification.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import {
  createSessionVerifier,
  isTurnkeyAuthError,
  type SessionVerifier,
  type TurnkeyAuthError,
  type TurnkeySession,
  type VerifyOptions,
} from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const notarizer = createTestNotarizer();
const T0 = Date.UTC(2026, 0, 1);
const TOLERANCE_S = 5;

let clock = T0;
let signatureChecks: MockInstance;

beforeEach(() => {
  clock = T0;
  signatureChecks = vi.spyOn(process.getBuiltinModule("node:crypto"), "verify");
});

afterEach(() => {
  signatureChecks.mockRestore();
});

function verifier(overrides: Partial<VerifyOptions> = {}): SessionVerifier {
  return createSessionVerifier({
    trustedOrganizations: "any",
    notarizerPublicKey: notarizer.publicKey,
    now: () => clock,
    clockTolerance: TOLERANCE_S,
    ...overrides,
  });
}

/** A token expiring `seconds` after T0. */
function tokenExpiringIn(seconds: number, claims: Record<string, unknown> = {}): Promise<string> {
  return notarizer.sign({ exp: T0 / 1000 + seconds, ...claims } as never);
}

function forged(token: string, salt: number): string {
  // A well-formed token with an in-range signature that is simply wrong: costs one ECDSA check.
  const [header, payload] = token.split(".");
  const signature = Buffer.alloc(64, 0x11);
  signature.writeUInt32BE(salt, 0);
  return `${header}.${payload}.${signature.toString("base64url")}`;
}

async function rejection(promise: Promise<unknown>): Promise<TurnkeyAuthError> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  expect(outcome.rejected).toBe(true);
  const error = outcome.rejected ? outcome.error : undefined;
  expect(isTurnkeyAuthError(error)).toBe(true);
  return error as TurnkeyAuthError;
}

describe("cache and clock", () => {
  it("a cached session past its exp is refused at once when the injected clock moves", async () => {
    const cachedVerifier = verifier();
    const token = await tokenExpiringIn(60);
    const session = await cachedVerifier.verify(token);
    expect(await cachedVerifier.verify(token)).toBe(session); // served from the cache
    expect(signatureChecks).toHaveBeenCalledTimes(1);

    clock = T0 + (60 + TOLERANCE_S) * 1000 - 1; // within the tolerance: still good, still cached
    expect(await cachedVerifier.verify(token)).toBe(session);

    clock = T0 + (60 + TOLERANCE_S) * 1000; // exp <= now − tolerance
    expect((await rejection(cachedVerifier.verify(token))).code).toBe("token_expired");
    expect(signatureChecks).toHaveBeenCalledTimes(1); // refused from the cache entry, at once
    // The session leaves the cache and the token is remembered as refused: replays cost no crypto.
    expect((await rejection(cachedVerifier.verify(token))).code).toBe("token_expired");
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it("a replayed expired token is refused from memory, with no ECDSA check; a clock set back re-admits it, still without one", async () => {
    const cachedVerifier = verifier();
    const token = await tokenExpiringIn(60);
    clock = T0 + 3_600_000;
    for (let replay = 0; replay < 5; replay++) {
      expect((await rejection(cachedVerifier.verify(token))).code).toBe("token_expired");
    }
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    clock = T0; // set back: expiry is judged against this clock, on the session remembered with the refusal
    const session = await cachedVerifier.verify(token);
    expect(session.expiresAt).toBe(T0 / 1000 + 60);
    expect(await cachedVerifier.verify(token)).toBe(session); // and cached again
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it("remembered expired tokens are bounded: a flood of them neither evicts a live session nor grows without limit", async () => {
    const cachedVerifier = verifier({ cache: { maxEntries: 4 } });
    const live = await tokenExpiringIn(7200);
    const session = await cachedVerifier.verify(live);
    clock = T0 + 3_600_000;
    const expiredTokens = await Promise.all(Array.from({ length: 1100 }, (_, salt) => tokenExpiringIn(60, { user_id: `user-${salt}` })));
    for (const token of expiredTokens) expect((await rejection(cachedVerifier.verify(token))).code).toBe("token_expired");
    expect(await cachedVerifier.verify(live)).toBe(session); // still the cached object
    signatureChecks.mockClear();
    // The 1,024 most recent are remembered (no crypto); the oldest were let go and cost a check.
    await rejection(cachedVerifier.verify(expiredTokens.at(-1)!));
    expect(signatureChecks).not.toHaveBeenCalled();
    await rejection(cachedVerifier.verify(expiredTokens[0]!));
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it("every call is decided against the clock of that call, whichever way the clock moves", async () => {
    const cachedVerifier = verifier();
    const token = await tokenExpiringIn(60);
    clock = T0 + 3_600_000; // first seen after its expiry: refused, and not cached
    expect((await rejection(cachedVerifier.verify(token))).code).toBe("token_expired");
    clock = T0; // the clock is set back (NTP step): the token is within its lifetime again
    const session = await cachedVerifier.verify(token);
    expect(session.expiresAt).toBe(T0 / 1000 + 60);
    clock = T0 + 3_600_000;
    expect((await rejection(cachedVerifier.verify(token))).code).toBe("token_expired");
  });

  it("a clock that starts answering NaN or a non-number fails closed (token_expired), cached or not", async () => {
    const token = await tokenExpiringIn(60);
    for (const cache of [false, { maxEntries: 10 }] as const) {
      for (const brokenAnswer of [Number.NaN, undefined]) {
        let broken = false;
        const brokenClock = verifier({ cache, now: () => (broken ? (brokenAnswer as number) : clock) });
        await brokenClock.verify(token); // cached while the clock works
        broken = true;
        expect((await rejection(brokenClock.verify(token))).code).toBe("token_expired");
      }
    }
  });
});

describe("trust is re-checked on every call, cache hit or not", () => {
  it("a trust function flipping to false denies a cached token at once, and flipping back restores it", async () => {
    let trusted = true;
    const trust = vi.fn((_organizationId: string, _session: TurnkeySession) => trusted);
    const cachedVerifier = verifier({ trustedOrganizations: trust });
    const token = await tokenExpiringIn(600, { organization_id: "org-1" });

    const session = await cachedVerifier.verify(token);
    expect(await cachedVerifier.verify(token)).toBe(session);
    expect(trust).toHaveBeenCalledTimes(2);
    expect(trust).toHaveBeenLastCalledWith("org-1", session);

    trusted = false;
    const error = await rejection(cachedVerifier.verify(token));
    expect(error.code).toBe("untrusted_organization");
    expect(trust).toHaveBeenCalledTimes(3);

    trusted = true;
    expect(await cachedVerifier.verify(token)).toBe(session);
    expect(signatureChecks).toHaveBeenCalledTimes(1); // one signature check for all four calls
  });

  it("an async trust function that starts failing answers unavailable for the cached token", async () => {
    let down = false;
    const cachedVerifier = verifier({
      trustedOrganizations: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (down) throw new Error("Turnkey API unreachable");
        return true;
      },
    });
    const token = await tokenExpiringIn(600);
    await cachedVerifier.verify(token);
    down = true;
    const error = await rejection(cachedVerifier.verify(token));
    expect(error.code).toBe("unavailable");
    expect(error.status).toBe(503);
  });

  it("a list settles trust before caching: another organization's session is refused again without crypto", async () => {
    const listed = verifier({ trustedOrganizations: ["org-1"] });
    const foreignToken = await tokenExpiringIn(600, { organization_id: "org-2" });
    expect((await rejection(listed.verify(foreignToken))).code).toBe("untrusted_organization");
    expect((await rejection(listed.verify(foreignToken))).code).toBe("untrusted_organization");
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    // Expiry still comes first, as on the first check.
    clock = T0 + 601_000 + TOLERANCE_S * 1000;
    expect((await rejection(listed.verify(foreignToken))).code).toBe("token_expired");
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it("a list is copied when the verifier is created: changing the array afterwards changes nothing", async () => {
    const organizations = ["org-1"];
    const listed = verifier({ trustedOrganizations: organizations });
    const token = await tokenExpiringIn(600, { organization_id: "org-2" });
    organizations.push("org-2");
    expect((await rejection(listed.verify(token))).code).toBe("untrusted_organization");
  });

  it("a flood of other organizations' sessions never evicts this service's own, and is remembered within a bound", async () => {
    const listed = verifier({ trustedOrganizations: ["org-1"], cache: { maxEntries: 2 } });
    const mine = await tokenExpiringIn(600, { organization_id: "org-1" });
    const session = await listed.verify(mine);
    const FLOOD = 1_100; // more than the 1,024 remembered refusals
    const theirs = await Promise.all(Array.from({ length: FLOOD }, (_, index) => tokenExpiringIn(600, { organization_id: `org-x${index}` })));
    for (const token of theirs) expect((await rejection(listed.verify(token))).code).toBe("untrusted_organization");
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD);
    expect(await listed.verify(mine)).toBe(session); // still cached
    await rejection(listed.verify(theirs[FLOOD - 1]!)); // the latest is remembered…
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD);
    await rejection(listed.verify(theirs[0]!)); // …the earliest forgotten: bounded
    expect(signatureChecks).toHaveBeenCalledTimes(2 + FLOOD);
  });

  it.each([
    ["a synchronous", (organizationId: string) => organizationId === "org-1"],
    ["an asynchronous", async (organizationId: string) => organizationId === "org-1"],
  ])("a flood of sessions %s trust function refuses never evicts this service's own: only trusted sessions are cached, refused ones remembered apart", async (_kind, answer) => {
    const resolver = vi.fn(answer);
    const guarded = verifier({ trustedOrganizations: resolver, cache: { maxEntries: 2 } });
    const mine = await tokenExpiringIn(600, { organization_id: "org-1" });
    const session = await guarded.verify(mine);
    const FLOOD = 20;
    const theirs = await Promise.all(Array.from({ length: FLOOD }, (_, index) => tokenExpiringIn(600, { organization_id: `org-x${index}` })));
    for (const token of theirs) expect((await rejection(guarded.verify(token))).code).toBe("untrusted_organization");
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD);
    expect(await guarded.verify(mine)).toBe(session); // still cached: the same frozen session…
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD); // …and no second signature check
    expect(resolver).toHaveBeenCalledTimes(2 + FLOOD); // the function is still asked on every call
    // A refused session is remembered as refused, with its session: a replay asks the function
    // again (it may have changed its mind) but costs no signature check, as with a list.
    expect((await rejection(guarded.verify(theirs[0]!))).code).toBe("untrusted_organization");
    expect(resolver).toHaveBeenCalledTimes(3 + FLOOD);
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD);
  });

  it("a list of organizations is checked on cache hits too (two verifiers, one token)", async () => {
    const token = await tokenExpiringIn(600, { organization_id: "org-1" });
    const mine = verifier({ trustedOrganizations: ["org-1"] });
    const theirs = verifier({ trustedOrganizations: ["org-2"] });
    await mine.verify(token);
    await mine.verify(token);
    expect((await rejection(theirs.verify(token))).code).toBe("untrusted_organization");
    expect((await rejection(theirs.verify(token))).code).toBe("untrusted_organization");
  });
});

describe("concurrent verifications", () => {
  it("50 concurrent identical tokens share one check: one ECDSA verify, one trust answer, one frozen session", async () => {
    for (const cache of [false, { maxEntries: 100 }] as const) {
      signatureChecks.mockClear();
      const trust = vi.fn(() => true);
      const concurrent = verifier({ cache, trustedOrganizations: trust });
      const token = await tokenExpiringIn(600);
      const sessions = await Promise.all(Array.from({ length: 50 }, () => concurrent.verify(token)));
      const first = sessions[0] as TurnkeySession;
      expect(sessions.every((session) => session === first)).toBe(true);
      expect(Object.isFrozen(first)).toBe(true);
      expect(signatureChecks).toHaveBeenCalledTimes(1);
      expect(trust).toHaveBeenCalledTimes(1); // asked once for the calls that waited together

      // The in-flight entry is gone once settled: without a cache, the next call checks again.
      const later = await concurrent.verify(token);
      expect(later === first).toBe(cache !== false);
      expect(signatureChecks).toHaveBeenCalledTimes(cache === false ? 2 : 1);
    }
  });

  it("50 concurrent copies of one forged token: one ECDSA verify, all invalid_signature", async () => {
    for (const cache of [false, { maxEntries: 100 }] as const) {
      signatureChecks.mockClear();
      const concurrent = verifier({ cache });
      const token = forged(await tokenExpiringIn(600), 1);
      const errors = await Promise.all(Array.from({ length: 50 }, () => rejection(concurrent.verify(token))));
      expect(errors.every((error) => error.code === "invalid_signature")).toBe(true);
      expect(signatureChecks).toHaveBeenCalledTimes(1);
      expect((await rejection(concurrent.verify(token))).code).toBe("invalid_signature");
    }
  });

  it("a token that expires while its check is in flight is refused for every waiter", async () => {
    const concurrent = verifier();
    const token = await tokenExpiringIn(60);
    const pending = Array.from({ length: 20 }, () => rejection(concurrent.verify(token)));
    clock = T0 + 3_600_000; // moves before the native check settles
    const errors = await Promise.all(pending);
    expect(errors.map((error) => error.code)).toEqual(Array(20).fill("token_expired"));
  });

  it("many distinct tokens at once: each caller gets its own session, no identity crosses", async () => {
    const concurrent = verifier({ cache: { maxEntries: 16 } });
    const users = Array.from({ length: 200 }, (_, index) => `user-${index}`);
    const tokens = await Promise.all(users.map((user_id) => tokenExpiringIn(600, { user_id })));
    const requests = [...tokens, ...tokens, ...tokens].map((token, index) => ({ token, user: users[index % users.length] }));
    const sessions = await Promise.all(requests.map(({ token }) => concurrent.verify(token)));
    sessions.forEach((session, index) => {
      expect(session.userId).toBe(requests[index]?.user);
      expect(session.token).toBe(requests[index]?.token);
    });
  });
});

describe("cache bounds", () => {
  it("the session cache holds at most maxEntries, least recently used evicted first", async () => {
    const small = verifier({ cache: { maxEntries: 2 } });
    const [a, b, c] = await Promise.all([tokenExpiringIn(600), tokenExpiringIn(600), tokenExpiringIn(600)]) as [string, string, string];
    const sessionA = await small.verify(a);
    const sessionB = await small.verify(b);
    expect(await small.verify(a)).toBe(sessionA); // a is now the most recently used
    await small.verify(c); // evicts b
    expect(signatureChecks).toHaveBeenCalledTimes(3);
    expect(await small.verify(a)).toBe(sessionA);
    const bAgain = await small.verify(b); // a miss: verified again, a new object
    expect(bAgain).not.toBe(sessionB);
    expect(bAgain).toEqual(sessionB);
    expect(signatureChecks).toHaveBeenCalledTimes(4);
  });

  it("a flood of distinct forged tokens neither evicts cached sessions nor is remembered without bound", async () => {
    const bounded = verifier({ cache: { maxEntries: 4 } });
    const genuine = await tokenExpiringIn(600);
    const session = await bounded.verify(genuine);
    const template = await tokenExpiringIn(600);
    const FLOOD = 2_000;
    for (let start = 0; start < FLOOD; start += 250) {
      const batch = Array.from({ length: 250 }, (_, index) => forged(template, start + index));
      const errors = await Promise.all(batch.map((token) => rejection(bounded.verify(token))));
      expect(errors.every((error) => error.code === "invalid_signature")).toBe(true);
    }
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD);

    // The genuine session is still cached: forgeries live apart and never displace sessions.
    expect(await bounded.verify(genuine)).toBe(session);
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD);

    // The latest forgery is remembered (a replay costs no crypto)…
    expect((await rejection(bounded.verify(forged(template, FLOOD - 1)))).code).toBe("invalid_signature");
    expect(signatureChecks).toHaveBeenCalledTimes(1 + FLOOD);
    // …the earliest has been forgotten: the memory of forgeries is bounded below the flood size.
    expect((await rejection(bounded.verify(forged(template, 0)))).code).toBe("invalid_signature");
    expect(signatureChecks).toHaveBeenCalledTimes(2 + FLOOD);
  });

  it("expired tokens take no cache slot: a flood of them does not evict live sessions", async () => {
    const small = verifier({ cache: { maxEntries: 2 } });
    const [a, b] = (await Promise.all([tokenExpiringIn(600), tokenExpiringIn(600)])) as [string, string];
    const sessionA = await small.verify(a);
    const sessionB = await small.verify(b);
    const expired = await Promise.all(Array.from({ length: 20 }, () => tokenExpiringIn(-3_600)));
    for (const token of expired) expect((await rejection(small.verify(token))).code).toBe("token_expired");
    expect(await small.verify(a)).toBe(sessionA);
    expect(await small.verify(b)).toBe(sessionB);
  });

  it("a cache hit needs the whole token: a token ending like a cached one is checked in full", async () => {
    const cachedVerifier = verifier();
    const genuine = await tokenExpiringIn(600, { user_id: "user-1" });
    const session = await cachedVerifier.verify(genuine);
    const [header, , signature] = genuine.split(".") as [string, string, string];
    const payload = (claims: object): string => Buffer.from(JSON.stringify(claims)).toString("base64url");
    const lookalikes = [
      // Same signature (so the same last characters), claims of the attacker's choosing.
      `${header}.${payload({ ...session.claims, user_id: "admin" })}.${signature}`,
      `${header}.${payload({ ...session.claims, exp: session.expiresAt + 86_400 })}.${signature}`,
      // Only the tail of the cached token, or the token with something in front of it.
      genuine.slice(-22),
      genuine.slice(-86),
      genuine.slice(1),
      `x${genuine}`,
    ];
    for (const token of lookalikes) {
      const error = await rejection(cachedVerifier.verify(token));
      expect(["invalid_signature", "malformed_token"]).toContain(error.code);
    }
    expect(await cachedVerifier.verify(genuine)).toBe(session);
  });

  it("with the cache off nothing is remembered: every call is a full check", async () => {
    const uncached = verifier({ cache: false });
    const token = await tokenExpiringIn(600);
    const bad = forged(token, 7);
    const first = await uncached.verify(token);
    expect(await uncached.verify(token)).not.toBe(first);
    await rejection(uncached.verify(bad));
    await rejection(uncached.verify(bad));
    expect(signatureChecks).toHaveBeenCalledTimes(4);
  });

  it("clearCache forgets sessions and forgeries", async () => {
    const cachedVerifier = verifier();
    const token = await tokenExpiringIn(600);
    const bad = forged(token, 9);
    const session = await cachedVerifier.verify(token);
    await rejection(cachedVerifier.verify(bad));
    expect(signatureChecks).toHaveBeenCalledTimes(2);
    cachedVerifier.clearCache();
    expect(await cachedVerifier.verify(token)).not.toBe(session);
    expect((await rejection(cachedVerifier.verify(bad))).code).toBe("invalid_signature");
    expect(signatureChecks).toHaveBeenCalledTimes(4);
  });
});

import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStore, createSessionVerifier, isTurnkeyAuthError, type SessionStore, type StoreWatcher } from "../../src/index.js";
import { revocationKey } from "../../src/jwt/revocations.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const notarizer = createTestNotarizer();
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function verifierFor(store: SessionStore, now: () => number = () => NOW, onStoreError?: (error: unknown) => void) {
  return createSessionVerifier({
    trustedOrganizations: ["org-1"],
    notarizerPublicKey: notarizer.publicKey,
    now,
    store,
    ...(onStoreError === undefined ? {} : { onStoreError }),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "granted",
    (error: unknown) => (isTurnkeyAuthError(error) ? error.code : `foreign: ${String(error)}`),
  );
}

/** A fresh session key (only its format is checked by the verifier). */
function sessionKey(): string {
  return `02${randomBytes(32).toString("hex")}`;
}

/** The same token with its signature's s replaced by n − s: the other valid encoding. */
function twinOf(token: string): string {
  const signature = Buffer.from(token.split(".")[2] as string, "base64url");
  const s = BigInt(`0x${signature.subarray(32).toString("hex")}`);
  const twin = Buffer.concat([signature.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, "0"), "hex")]);
  return `${token.slice(0, token.lastIndexOf("."))}.${twin.toString("base64url")}`;
}

describe("verifier.revoke", () => {
  it("refuses the revoked session with session_revoked (401, invalid_token), its twin encoding too, on every verifier of the store", async () => {
    const store = createMemoryStore({ now: () => NOW });
    const [first, second] = [verifierFor(store), verifierFor(store)];
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1", public_key: sessionKey() }, { now: NOW });
    const other = await notarizer.sign({ organization_id: "org-1", user_id: "user-1", public_key: sessionKey() }, { now: NOW });
    expect(await codeOf(second.verify(token))).toBe("granted"); // cached on the second before the revocation
    await first.revoke(token);
    for (const verifier of [first, second]) {
      const error = await verifier.verify(token).catch((thrown: unknown) => thrown);
      expect(isTurnkeyAuthError(error) && error.status).toBe(401);
      expect(isTurnkeyAuthError(error) && error.wwwAuthenticate).toContain('error="invalid_token"');
      expect(await codeOf(verifier.verify(token))).toBe("session_revoked");
      expect(await codeOf(verifier.verify(twinOf(token)))).toBe("session_revoked");
      expect(verifier.cached(token)).toBeUndefined();
      expect(await codeOf(verifier.verify(other))).toBe("granted"); // another session of the same user
    }
  });

  it("keys the entry by organization, user and public key, with a TTL until exp plus the clock tolerance", async () => {
    const writes: Array<[string, string, number]> = [];
    const memory = createMemoryStore({ now: () => NOW });
    const store: SessionStore = { ...memory, set: async (key, value, ttl) => (writes.push([key, value, ttl]), memory.set(key, value, ttl)), watch: memory.watch!.bind(memory) };
    const verifier = verifierFor(store);
    const session = await verifier.verify(await notarizer.sign({ organization_id: "org-1", user_id: "user-1" }, { now: NOW }));
    await verifier.revoke(session);
    expect(writes).toEqual([[revocationKey(session), String(session.expiresAt), 905_000]]);
    expect(writes[0]?.[0]).toBe(`revoked:org-1:user-1:${session.publicKey.toLowerCase()}`);
    expect(revocationKey({ organizationId: "a:b", userId: "c", publicKey: "d" })).not.toBe(revocationKey({ organizationId: "a", userId: "b:c", publicKey: "d" }));
  });

  it("revoking an expired token, or twice, is a no-op; a forged token is refused, not revoked", async () => {
    const store = createMemoryStore({ now: () => NOW });
    const verifier = verifierFor(store);
    const expired = await notarizer.sign({ organization_id: "org-1" }, { now: NOW - 3_600_000 });
    await verifier.revoke(expired);
    expect(await store.get(revocationKey((await createSessionVerifier({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, now: () => NOW - 3_600_000 }).verify(expired))))).toBeUndefined();
    const forged = await createTestNotarizer().sign({ organization_id: "org-1" }, { now: NOW });
    expect(await codeOf(verifier.revoke(forged))).toBe("invalid_signature");
    const token = await notarizer.sign({ organization_id: "org-1", public_key: sessionKey() }, { now: NOW });
    await verifier.revoke(token);
    await verifier.revoke(token);
    expect(await codeOf(verifier.verify(token))).toBe("session_revoked");
    await expect(verifier.revoke(42 as never)).rejects.toThrow(TypeError);
  });

  it("a revocation made once the session has expired changes nothing anywhere, even if the clock then steps back", async () => {
    let time = NOW;
    const store = createMemoryStore({ now: () => time });
    const [revoking, other] = [verifierFor(store, () => time), verifierFor(store, () => time)];
    const token = await notarizer.sign({ organization_id: "org-1", public_key: sessionKey() }, { now: NOW, expiresInSeconds: 60 });
    time = NOW + 60_000 + 5_000; // past exp and the default 5 s tolerance
    await revoking.revoke(token);
    time -= 1_000;
    expect([await codeOf(revoking.verify(token)), await codeOf(other.verify(token))]).toEqual(["granted", "granted"]);
  });

  it("a store without watch is asked on every check; its failure is reported and answered unavailable, never granted", async () => {
    const memory = createMemoryStore({ now: () => NOW });
    let failing = false;
    const reported: unknown[] = [];
    const store: SessionStore = {
      get: async (key) => (failing ? Promise.reject(new Error("down")) : memory.get(key)),
      set: (key, value, ttl) => (failing ? Promise.reject(new Error("down")) : memory.set(key, value, ttl)),
      setIfAbsent: (key, value, ttl) => memory.setIfAbsent(key, value, ttl),
      delete: (key) => memory.delete(key),
    };
    const [first, second] = [verifierFor(store, () => NOW, (error) => reported.push(error)), verifierFor(store)];
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    expect(await codeOf(second.verify(token))).toBe("granted");
    await first.revoke(token);
    expect(await codeOf(second.verify(token))).toBe("session_revoked");
    failing = true;
    const fresh = await notarizer.sign({ organization_id: "org-1", public_key: sessionKey() }, { now: NOW });
    expect(await codeOf(first.verify(fresh))).toBe("unavailable");
    expect(await codeOf(first.revoke(fresh))).toBe("unavailable");
    expect(reported).toHaveLength(2);
  });

  it("a watched store that has not synced yet answers unavailable; after synced() it answers from the mirror, also while disconnected", async () => {
    const memory = createMemoryStore({ now: () => NOW });
    let watcher: StoreWatcher | undefined;
    const reported: unknown[] = [];
    const store: SessionStore = { ...memory, watch: (_prefix, w) => ((watcher = w), () => undefined) };
    const verifier = verifierFor(store, () => NOW, (error) => reported.push(error));
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    expect(await codeOf(verifier.verify(token))).toBe("unavailable");
    const session = await createSessionVerifier({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, now: () => NOW }).verify(token);
    watcher?.set(revocationKey(session), String(session.expiresAt));
    watcher?.synced();
    expect(await codeOf(verifier.verify(token))).toBe("session_revoked");
    watcher?.error(new Error("connection lost"));
    expect(reported).toHaveLength(1);
    expect(await codeOf(verifier.verify(token))).toBe("session_revoked");
    watcher?.delete(revocationKey(session));
    expect(await codeOf(verifier.verify(token))).toBe("granted");
    watcher?.set(revocationKey(session), "not a number"); // fails closed
    expect(await codeOf(verifier.verify(token))).toBe("session_revoked");
  });

  it("property: any revoked session is refused by every verifier sharing the store until its exp; unrelated sessions are unaffected", async () => {
    const users = ["user-1", "user-2", "user-3"];
    const tokens = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => notarizer.sign({ organization_id: "org-1", user_id: users[i % 3]!, public_key: sessionKey() }, { now: NOW, expiresInSeconds: 60 * (i + 1) })),
    );
    const step = fc.oneof(
      fc.record({ kind: fc.constant("revoke" as const), token: fc.nat(5), by: fc.nat(2) }),
      fc.record({ kind: fc.constant("verify" as const), token: fc.nat(5), by: fc.nat(2), twin: fc.boolean() }),
      fc.record({ kind: fc.constant("clock" as const), seconds: fc.integer({ min: -120, max: 200 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        let time = NOW;
        const store = createMemoryStore({ now: () => time });
        const verifiers = [0, 1, 2].map(() => createSessionVerifier({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, now: () => time, store, clockTolerance: 0 }));
        const revoked = new Set<number>();
        for (const move of steps) {
          if (move.kind === "clock") time = Math.max(NOW, time + move.seconds * 1000);
          else if (move.kind === "revoke") {
            if (time < NOW + 60_000 * (move.token + 1)) revoked.add(move.token);
            await verifiers[move.by]!.revoke(tokens[move.token]!);
          } else {
            const token = move.twin ? twinOf(tokens[move.token]!) : tokens[move.token]!;
            const expected = time >= NOW + 60_000 * (move.token + 1) ? "token_expired" : revoked.has(move.token) ? "session_revoked" : "granted";
            expect(await codeOf(verifiers[move.by]!.verify(token))).toBe(expected);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

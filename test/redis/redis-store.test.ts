import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionVerifier, isTurnkeyAuthError, type SessionVerifier } from "../../src/index.js";
import { createRedisStore, type RedisSessionStore } from "../../src/redis/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { redisServerAvailable, startRedisServer, type RedisServer } from "../helpers/redis/redis-server.js";

const notarizer = createTestNotarizer();
const available = redisServerAvailable();

type Client = ReturnType<typeof createClient>;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "granted",
    (error: unknown) => (isTurnkeyAuthError(error) ? error.code : `foreign: ${String(error)}`),
  );
}

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - start;
}

function sign(userId = "user-1"): Promise<string> {
  return notarizer.sign({ organization_id: "org-1", user_id: userId, public_key: `03${randomBytes(32).toString("hex")}` });
}

describe.skipIf(!available)("createRedisStore (real redis-server)", () => {
  let server: RedisServer;
  const clients: Client[] = [];
  const stores: RedisSessionStore[] = [];

  async function instance(errors: unknown[] = [], prefix = "test:"): Promise<{ verifier: SessionVerifier; store: RedisSessionStore }> {
    const client: Client = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
    client.on("error", () => undefined);
    await client.connect();
    clients.push(client);
    const store = createRedisStore({ client, prefix, commandTimeoutMs: 500 });
    stores.push(store);
    const verifier = createSessionVerifier({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, store, onStoreError: (error) => errors.push(error) });
    const probe = await sign("probe");
    await eventually(async () => (await codeOf(verifier.verify(probe))) === "granted", 5000); // the mirror is loaded
    return { verifier, store };
  }

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const client of clients) await client.close().catch(() => client.destroy());
    await server?.stop();
  });

  it("gets, sets with a TTL, sets if absent atomically, deletes", async () => {
    const { store } = await instance();
    await store.set("dpop:a", "1", 200);
    expect(await store.get("dpop:a")).toBe("1");
    const attempts = await Promise.all([0, 1, 2, 3].map((i) => store.setIfAbsent("dpop:once", String(i), 10_000)));
    expect(attempts.filter(Boolean)).toHaveLength(1);
    await store.delete("dpop:once");
    expect(await store.get("dpop:once")).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.get("dpop:a")).toBeUndefined();
    await expect(store.set("k", "v", 0)).rejects.toThrow(RangeError);
  });

  it("a revocation on one instance is refused by another within 100 ms, with its Redis TTL until exp", async () => {
    const [one, two] = [await instance(), await instance()];
    const token = await sign();
    const other = await sign();
    expect(await codeOf(two.verifier.verify(token))).toBe("granted");
    await one.verifier.revoke(token);
    const elapsed = await eventually(async () => (await codeOf(two.verifier.verify(token))) === "session_revoked", 100);
    expect(elapsed).toBeLessThanOrEqual(100);
    expect(await codeOf(two.verifier.verify(other))).toBe("granted");
    const [key] = await clients[0]!.keys("test:revoked:*");
    const ttl = await clients[0]!.pTTL(key!);
    expect(ttl).toBeGreaterThan(890_000);
    expect(ttl).toBeLessThanOrEqual(905_000);
  });

  it("refuses options by name", () => {
    expect(() => createRedisStore({ client: {} as never })).toThrow(/"client"/);
    expect(() => createRedisStore({ client: clients[0]!, prefix: "a*" })).toThrow(/"prefix"/);
    expect(() => createRedisStore({ client: clients[0]!, commandTimeoutMs: 0 })).toThrow(/"commandTimeoutMs"/);
  });

  it("resynchronises after its subscription drops: a revocation published while it was away is still refused", async () => {
    const { verifier } = await instance();
    const token = await sign();
    const session = await verifier.verify(token);
    const admin = clients[0]!;
    // Written straight to Redis, not published: only a rescan can find it.
    await admin.set(`test:revoked:org-1:user-1:${session.publicKey}`, String(session.expiresAt), { expiration: { type: "PX", value: 60_000 } });
    expect(await codeOf(verifier.verify(token))).toBe("granted");
    await admin.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
    await eventually(async () => (await codeOf(verifier.verify(token))) === "session_revoked", 5000);
  });

  it("Redis killed and restarted: verifiers keep answering from the mirror, a revocation made meanwhile is replayed, later ones propagate", async () => {
    const errors: unknown[] = [];
    const [one, two] = [await instance(errors), await instance()];
    const before = await sign();
    const during = await sign();
    const after = await sign();
    await one.verifier.revoke(before);
    await eventually(async () => (await codeOf(two.verifier.verify(before))) === "session_revoked", 1000);

    await server.stop();
    await eventually(async () => !clients.at(-1)!.isReady, 2000);
    await one.verifier.revoke(during); // queued: Redis is down
    expect(await codeOf(one.verifier.verify(during))).toBe("session_revoked");
    for (const token of [before, during, after]) expect(["granted", "session_revoked"]).toContain(await codeOf(two.verifier.verify(token)));
    expect(await codeOf(two.verifier.verify(before))).toBe("session_revoked"); // the mirror still holds it
    expect(errors.length).toBeGreaterThan(0);

    await server.start();
    await eventually(async () => (await codeOf(two.verifier.verify(during))) === "session_revoked", 5000);
    await one.verifier.revoke(after);
    await eventually(async () => (await codeOf(two.verifier.verify(after))) === "session_revoked", 1000);
  }, 20_000);

  it("property: any revoked session is refused by every verifier sharing the store; unrelated sessions are unaffected", async () => {
    const verifiers = [(await instance([], "prop:")).verifier, (await instance([], "prop:")).verifier];
    const tokens = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => sign(`user-${i % 2}`)));
    const revoked = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ revoke: fc.boolean(), token: fc.nat(5), by: fc.nat(1) }), { maxLength: 8 }), async (steps) => {
        for (const step of steps) {
          if (step.revoke) {
            await verifiers[step.by]!.revoke(tokens[step.token]!);
            revoked.add(step.token);
          }
        }
        for (const [i, token] of tokens.entries()) {
          for (const verifier of verifiers) {
            if (revoked.has(i)) await eventually(async () => (await codeOf(verifier.verify(token))) === "session_revoked", 1000);
            else expect(await codeOf(verifier.verify(token))).toBe("granted");
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});

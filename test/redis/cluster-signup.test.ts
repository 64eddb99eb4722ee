// "One sub-organization per user" across two instances, each with its own connection to one real
// redis-server: the sign-up lock of src/flows/signup-lock.ts over Redis's SET NX PX.
import { createHash } from "node:crypto";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore, type RedisSessionStore } from "../../src/redis/index.js";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { instance, oauthLoginBody, otpLoginBody, slowCreate, subOrganizationCount } from "../helpers/flows/two-instances.js";
import { redisServerAvailable, startRedisServer, type RedisServer } from "../helpers/redis/redis-server.js";

const available = redisServerAvailable();
type Client = ReturnType<typeof createClient>;

describe.skipIf(!available)("sign-up lock over a real redis-server", () => {
  let server: RedisServer;
  let emulator: TurnkeyEmulator;
  const clients: Client[] = [];
  const stores: RedisSessionStore[] = [];

  async function redisStore(): Promise<RedisSessionStore> {
    const client: Client = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
    client.on("error", () => undefined);
    await client.connect();
    clients.push(client);
    const store = createRedisStore({ client, prefix: "cluster:", commandTimeoutMs: 500 });
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    [server, emulator] = await Promise.all([startRedisServer(), startTurnkeyEmulator()]);
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const client of clients) await client.close().catch(() => client.destroy());
    await server?.stop();
    await emulator?.close();
  });

  it("two instances, two connections: concurrent first OTP logins for one contact create exactly one", async () => {
    const [a, b] = [instance(emulator, await redisStore()), instance(emulator, await redisStore())];
    const bodies = [await otpLoginBody(emulator, a, "redis-race@example.com"), await otpLoginBody(emulator, b, "redis-race@example.com")];
    await emulator.faults.set(slowCreate);
    const before = subOrganizationCount(emulator);
    const answers = await Promise.all([a("otp-login", bodies[0]), b("otp-login", bodies[1])]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const ids = answers.map((answer) => (answer.body as { organizationId: string }).organizationId);
    expect(ids[0]).toBe(ids[1]);
    expect(subOrganizationCount(emulator)).toBe(before + 1);
    // Released, and no key in Redis names the contact.
    expect(await clients[0]!.keys("cluster:signup:*")).toEqual([]);
    expect((await clients[0]!.keys("cluster:*")).join(" ")).not.toMatch(/redis-race/);
  });

  it("the same for concurrent first OAuth logins of one OIDC identity", async () => {
    const [a, b] = [instance(emulator, await redisStore()), instance(emulator, await redisStore())];
    await emulator.faults.set(slowCreate);
    const before = subOrganizationCount(emulator);
    const answers = await Promise.all([a("oauth-login", oauthLoginBody(emulator, "redis-oidc")), b("oauth-login", oauthLoginBody(emulator, "redis-oidc"))]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(subOrganizationCount(emulator)).toBe(before + 1);
  });

  it("a lock left in Redis by a crashed instance expires after its TTL, then the sign-up proceeds", async () => {
    const store = await redisStore();
    const identity = `${emulator.parentOrganizationId}\u0000EMAIL\u0000redis-crashed@example.com`;
    expect(await store.setIfAbsent(`signup:${createHash("sha256").update(identity).digest("hex")}`, "crashed", 500)).toBe(true);
    const handle = instance(emulator, store);
    const before = subOrganizationCount(emulator);
    const started = Date.now();
    expect(await handle("otp-login", await otpLoginBody(emulator, handle, "redis-crashed@example.com"))).toMatchObject({ status: 200, body: { created: true } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(subOrganizationCount(emulator)).toBe(before + 1);
  });

  it("Redis down: 503 unavailable, nothing created", async () => {
    const store = await redisStore();
    const handle = instance(emulator, store, 1000);
    const body = await otpLoginBody(emulator, handle, "redis-down@example.com");
    const before = subOrganizationCount(emulator);
    await server.stop();
    try {
      expect(await handle("otp-login", body)).toMatchObject({ status: 503, body: { error: "unavailable" } });
      expect(subOrganizationCount(emulator)).toBe(before);
    } finally {
      await server.start();
    }
  });
});

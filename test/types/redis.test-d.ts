import { createClient } from "redis";
import { expectTypeOf, test } from "vitest";
import type { SessionStore } from "../../src/index.js";
import { createRedisStore, type RedisClientLike, type RedisSessionStore } from "../../src/redis/index.js";

test("a node-redis v5 client is accepted as it is, and the store is a SessionStore with watch and close", () => {
  expectTypeOf(createClient()).toExtend<RedisClientLike>();
  expectTypeOf(createRedisStore).returns.toEqualTypeOf<RedisSessionStore>();
  expectTypeOf<RedisSessionStore>().toExtend<SessionStore>();
  expectTypeOf<RedisSessionStore["close"]>().returns.toEqualTypeOf<Promise<void>>();
});

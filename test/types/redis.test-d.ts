import { createClient } from "redis";
import { expectTypeOf, test } from "vitest";
import type { SessionStore } from "../../src/index.js";
import type { FlowHandlerConfig, GetOrCreateSubOrganizationInput, OauthLoginInput, OtpLoginInput } from "../../src/flows/index.js";
import { createRedisStore, type RedisClientLike, type RedisSessionStore } from "../../src/redis/index.js";

test("a node-redis v5 client is accepted as it is, and the store is a SessionStore with watch and close", () => {
  expectTypeOf(createClient()).toExtend<RedisClientLike>();
  expectTypeOf(createRedisStore).returns.toEqualTypeOf<RedisSessionStore>();
  expectTypeOf<RedisSessionStore>().toExtend<SessionStore>();
  expectTypeOf<RedisSessionStore["close"]>().returns.toEqualTypeOf<Promise<void>>();
});

test("the flows' sign-up lock takes any SessionStore, the Redis one included", () => {
  expectTypeOf<RedisSessionStore>().toExtend<NonNullable<GetOrCreateSubOrganizationInput["store"]>>();
  expectTypeOf<GetOrCreateSubOrganizationInput["store"]>().toEqualTypeOf<SessionStore | undefined>();
  expectTypeOf<OtpLoginInput["store"]>().toEqualTypeOf<SessionStore | undefined>();
  expectTypeOf<OauthLoginInput["store"]>().toEqualTypeOf<SessionStore | undefined>();
  expectTypeOf<FlowHandlerConfig["store"]>().toEqualTypeOf<SessionStore | undefined>();
});

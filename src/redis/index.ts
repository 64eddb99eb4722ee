export { createRedisStore } from "./redis-store.js";
export type { RedisSessionStore, RedisStoreOptions } from "./redis-store.js";
export type { RedisClientLike, RedisSetOptions, RedisSubscriberLike } from "./client.js";

/**
 * The part of a node-redis v5 client (`createClient()` from `redis`) this store uses. Declared here
 * so that this package's types do not depend on `redis`, an optional peer dependency.
 *
 * @example
 * ```ts
 * const client: RedisClientLike = await createClient({ url: process.env.REDIS_URL }).on("error", log).connect();
 * ```
 */
export interface RedisClientLike {
  readonly isReady: boolean;
  get(key: string): Promise<string | null | {}>;
  set(key: string, value: string, options: RedisSetOptions): Promise<string | null | {}>;
  del(key: string): Promise<number | {}>;
  mGet(keys: string[]): Promise<Array<string | null | {}> | {}>;
  publish(channel: string, message: string): Promise<number | {}>;
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[] | {}>;
  duplicate(): RedisSubscriberLike;
  on(event: "ready", listener: () => void): unknown;
  off(event: "ready", listener: () => void): unknown;
}

/** The `SET` options this store sends (node-redis v5 spelling). */
export interface RedisSetOptions {
  expiration: { type: "PX"; value: number };
  condition?: "NX";
}

/** The part of a duplicated node-redis client that subscribes. */
export interface RedisSubscriberLike {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  close(): Promise<unknown>;
  on(event: "ready", listener: () => void): unknown;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

/** Whether `value` looks like a node-redis v5 client (the `TypeError` of createRedisStore names the option otherwise). */
export function isRedisClient(value: unknown): value is RedisClientLike {
  if (typeof value !== "object" || value === null) return false;
  const client = value as Record<string, unknown>;
  return ["get", "set", "del", "mGet", "publish", "scanIterator", "duplicate", "on", "off"].every((method) => typeof client[method] === "function");
}

/** `promise`, or a rejection after `ms`, so that no store call waits on a dead connection. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`turnkey-session-auth: Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

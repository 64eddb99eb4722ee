import type { SessionStore, StoreWatcher } from "../store/session-store.js";
import { isRedisClient, withTimeout, type RedisClientLike, type RedisSubscriberLike } from "./client.js";

/**
 * Options of {@link createRedisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { client, prefix: "my-api:" };
 * ```
 */
export interface RedisStoreOptions {
  /** A node-redis v5 client (`createClient()` from `redis`), connected or connecting. The store duplicates it once to subscribe. */
  client: RedisClientLike;
  /** Prepended to every key and to the channel; lets several apps share one Redis. Default `"turnkey-session-auth:"`. */
  prefix?: string;
  /** Key namespaces whose writes are broadcast to every instance's watchers. Default `["revoked:"]`. */
  watchedPrefixes?: readonly string[];
  /** Milliseconds a command may take before it rejects. Default 1000. */
  commandTimeoutMs?: number;
}

/**
 * A {@link SessionStore} on Redis, shared by every instance. Besides `get`/`set`/`setIfAbsent`/
 * `delete`, it lets verifiers mirror revocations locally (`watch`): writes under a watched
 * namespace are published on one channel, and every subscriber rescans the namespace each time its
 * connection is (re)established, since Redis pub/sub drops messages sent while it was away.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { createRedisStore } from "turnkey-session-auth/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).on("error", log).connect();
 * const verifier = createSessionVerifier({ trustedOrganizations: [orgId], store: createRedisStore({ client }) });
 * ```
 */
export interface RedisSessionStore extends SessionStore {
  watch(prefix: string, watcher: StoreWatcher): () => void;
  /** Unsubscribes and closes the duplicate connection (the client you passed stays yours to close). */
  close(): Promise<void>;
}

interface PendingWrite {
  readonly key: string;
  readonly value: string;
  readonly expiresAtMs: number;
}

const GLOB_CHARACTERS = /[*?[\]\\]/;
const RETRY_PENDING_MS = 1000;
const SCAN_BATCH = 1000;

function optionError(option: string, problem: string): TypeError {
  return new TypeError(`turnkey-session-auth: option "${option}" ${problem}`);
}

/** Creates a {@link RedisSessionStore} over a node-redis v5 client. */
export function createRedisStore(options: RedisStoreOptions): RedisSessionStore {
  if (typeof options !== "object" || options === null) throw new TypeError("turnkey-session-auth: createRedisStore options must be an object");
  const { client } = options;
  if (!isRedisClient(client)) throw optionError("client", "must be a node-redis v5 client (createClient() from the redis package)");
  const prefix = options.prefix ?? "turnkey-session-auth:";
  // SCAN's MATCH is a glob: a prefix with glob characters would match other apps' keys.
  if (typeof prefix !== "string" || GLOB_CHARACTERS.test(prefix)) throw optionError("prefix", "must be a string without * ? [ ] or \\");
  const watchedPrefixes = options.watchedPrefixes ?? ["revoked:"];
  if (!Array.isArray(watchedPrefixes) || !watchedPrefixes.every((p) => typeof p === "string" && p.length > 0 && !GLOB_CHARACTERS.test(p))) {
    throw optionError("watchedPrefixes", "must be an array of non-empty strings without * ? [ ] or \\");
  }
  const timeoutMs = options.commandTimeoutMs ?? 1000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw optionError("commandTimeoutMs", "must be a whole number of milliseconds ≥ 1");

  const channel = `${prefix}changes`;
  const watchers = new Set<{ readonly prefix: string; readonly watcher: StoreWatcher }>();
  const pending = new Map<string, PendingWrite>(); // broadcast writes made while Redis was unreachable
  let subscriber: RedisSubscriberLike | undefined;
  let subscribed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const isWatched = (key: string): boolean => watchedPrefixes.some((p) => key.startsWith(p));

  // Refuses at once while disconnected: node-redis would queue the command until the reconnection.
  function command<T>(run: () => Promise<T>): Promise<T> {
    if (!client.isReady) return Promise.reject(new Error("turnkey-session-auth: Redis is not connected"));
    return withTimeout(run(), timeoutMs);
  }

  function tell(key: string, value: string | undefined): void {
    for (const { prefix: watched, watcher } of watchers) {
      if (!key.startsWith(watched)) continue;
      if (value === undefined) watcher.delete(key);
      else watcher.set(key, value);
    }
  }

  function tellError(error: unknown): void {
    for (const { watcher } of watchers) watcher.error(error);
  }

  async function broadcast(key: string, value: string | undefined): Promise<void> {
    await command(() => client.publish(channel, JSON.stringify(value === undefined ? [key] : [key, value])));
  }

  function onMessage(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return; // not ours
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || (parsed.length === 2 && typeof parsed[1] !== "string")) return;
    tell(parsed[0], parsed[1] as string | undefined);
  }

  async function writeBroadcast(write: PendingWrite): Promise<void> {
    const ttlMs = Math.ceil(write.expiresAtMs - Date.now());
    if (ttlMs < 1) return;
    await command(() => client.set(prefix + write.key, write.value, { expiration: { type: "PX", value: ttlMs } }));
    await broadcast(write.key, write.value);
  }

  // Replays, in order, the broadcast writes that could not reach Redis (each is idempotent).
  async function flushPending(): Promise<void> {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    for (const write of [...pending.values()]) {
      try {
        await writeBroadcast(write);
        pending.delete(write.key);
      } catch (error) {
        tellError(error);
        break;
      }
    }
    if (pending.size > 0 && !closed) {
      retryTimer = setTimeout(() => void flushPending(), RETRY_PENDING_MS);
      retryTimer.unref?.();
    }
  }

  // Every watched entry now in Redis, told to the watchers, then synced(). Retried until it succeeds.
  async function resync(): Promise<void> {
    try {
      for (const watched of new Set([...watchers].map((w) => w.prefix))) {
        for await (const batch of client.scanIterator({ MATCH: `${prefix}${watched}*`, COUNT: SCAN_BATCH })) {
          const keys = batch as string[];
          if (keys.length === 0) continue;
          const values = (await command(() => client.mGet(keys))) as Array<string | null>;
          keys.forEach((key, i) => {
            const value = values[i];
            if (typeof value === "string") tell(key.slice(prefix.length), value);
          });
        }
      }
      for (const { watcher } of watchers) watcher.synced();
      await flushPending();
    } catch (error) {
      tellError(error);
      if (!closed) setTimeout(() => void resync(), RETRY_PENDING_MS).unref?.();
    }
  }

  function startSubscriber(): void {
    const duplicate = client.duplicate();
    subscriber = duplicate;
    duplicate.on("error", tellError); // without a listener, node-redis crashes the process on an error
    // node-redis re-subscribes by itself after a reconnection; what was published meanwhile is lost.
    duplicate.on("ready", () => {
      if (subscribed) void resync();
    });
    void (async () => {
      try {
        await duplicate.connect();
        await duplicate.subscribe(channel, onMessage);
        subscribed = true;
        await resync();
      } catch (error) {
        tellError(error);
      }
    })();
  }

  const onClientReady = (): void => void flushPending();
  client.on("ready", onClientReady);

  return {
    async get(key) {
      const value = await command(() => client.get(prefix + key));
      return typeof value === "string" ? value : undefined;
    },
    async set(key, value, ttlMs) {
      if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError("turnkey-session-auth: a store TTL must be a whole number of milliseconds ≥ 1");
      if (!isWatched(key)) {
        await command(() => client.set(prefix + key, value, { expiration: { type: "PX", value: ttlMs } }));
        return;
      }
      // A broadcast write (a revocation) must not be lost to an outage: it is kept and replayed.
      tell(key, value);
      const write = { key, value, expiresAtMs: Date.now() + ttlMs };
      pending.delete(key);
      try {
        await writeBroadcast(write);
      } catch (error) {
        pending.set(key, write);
        tellError(error);
        void flushPending();
      }
    },
    async setIfAbsent(key, value, ttlMs) {
      if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError("turnkey-session-auth: a store TTL must be a whole number of milliseconds ≥ 1");
      const answer = await command(() => client.set(prefix + key, value, { expiration: { type: "PX", value: ttlMs }, condition: "NX" }));
      if (answer !== "OK") return false;
      if (isWatched(key)) {
        tell(key, value);
        await broadcast(key, value);
      }
      return true;
    },
    async delete(key) {
      await command(() => client.del(prefix + key));
      if (isWatched(key)) {
        pending.delete(key);
        tell(key, undefined);
        await broadcast(key, undefined);
      }
    },
    watch(watchedPrefix, watcher) {
      if (!isWatched(watchedPrefix)) throw optionError("watchedPrefixes", `does not include "${watchedPrefix}", which is watched`);
      const watch = { prefix: watchedPrefix, watcher };
      watchers.add(watch);
      if (subscriber === undefined) startSubscriber();
      else if (subscribed) void resync();
      return () => {
        watchers.delete(watch);
      };
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      client.off("ready", onClientReady);
      watchers.clear();
      await subscriber?.close().catch(() => undefined);
    },
  };
}

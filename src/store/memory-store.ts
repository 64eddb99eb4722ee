import type { SessionStore, StoreWatcher } from "./session-store.js";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Most live entries held; a write beyond it rejects (never evicts: an evicted revocation would re-admit a session). Default 1_000_000. */
  maxEntries?: number;
  /** The current time in milliseconds since the epoch. Default `Date.now`; inject it in tests. */
  now?: () => number;
}

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * A {@link SessionStore} in this process's memory: the default of every verifier. It serves one
 * instance; services that run several share a Redis store instead (`turnkey-session-auth/redis`).
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const verifier = createSessionVerifier({ trustedOrganizations: ["org-id"], store });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): SessionStore {
  const maxEntries = options.maxEntries ?? 1_000_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('turnkey-session-auth: option "maxEntries" must be a whole number ≥ 1');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new TypeError('turnkey-session-auth: option "now" must be a function returning milliseconds');
  const entries = new Map<string, Entry>();
  const watchers = new Set<{ readonly prefix: string; readonly watcher: StoreWatcher }>();

  function tell(key: string, value: string | undefined): void {
    for (const { prefix, watcher } of watchers) {
      if (!key.startsWith(prefix)) continue;
      if (value === undefined) watcher.delete(key);
      else watcher.set(key, value);
    }
  }

  /** The live entry under key; an expired one is dropped on the way. */
  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops every expired entry, once the map is full, before refusing a write. */
  function makeRoom(): void {
    if (entries.size < maxEntries) return;
    const time = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= time) entries.delete(key);
    if (entries.size >= maxEntries) throw new Error(`turnkey-session-auth: the memory store holds ${maxEntries} live entries (maxEntries)`);
  }

  function write(key: string, value: string, ttlMs: number): void {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError("turnkey-session-auth: a store TTL must be a whole number of milliseconds ≥ 1");
    entries.delete(key);
    makeRoom();
    entries.set(key, { value, expiresAt: now() + ttlMs });
    tell(key, value);
  }

  return {
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      write(key, value, ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key) !== undefined) return false;
      write(key, value, ttlMs);
      return true;
    },
    async delete(key) {
      if (entries.delete(key)) tell(key, undefined);
    },
    // Synchronous: every write in this process reaches the watchers before the write resolves.
    watch(prefix, watcher) {
      for (const key of [...entries.keys()]) {
        const entry = live(key);
        if (entry !== undefined && key.startsWith(prefix)) watcher.set(key, entry.value);
      }
      watcher.synced();
      const watch = { prefix, watcher };
      watchers.add(watch);
      return () => {
        watchers.delete(watch);
      };
    },
  };
}

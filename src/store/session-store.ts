/**
 * Where state shared by every verifier (and every instance of the service) lives: revoked
 * sessions, DPoP proof ids, webhook event ids. Keys are namespaced by their user
 * (`revoked:…`, `dpop:…`, `webhook:…`); values are short strings. Every entry expires on its own
 * after its TTL, so a store holds only what is still live.
 *
 * A method that cannot answer rejects; callers treat a rejection as "unknown" and never grant on it.
 *
 * @example
 * ```ts
 * const store: SessionStore = createMemoryStore();
 * if (!(await store.setIfAbsent("dpop:key:jti", "1", 65_000))) throw new Error("replayed");
 * ```
 */
export interface SessionStore {
  /** The value under `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Sets `key` to `value` for `ttlMs` milliseconds (a whole number ≥ 1), replacing any value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets `key` only if it is absent (or expired); `true` when this call set it. Atomic across instances. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Removes `key` (no-op when absent). */
  delete(key: string): Promise<void>;
  /**
   * Optional: keeps `watcher` told of every entry whose key starts with `prefix`, set by any
   * instance sharing the store, so the watcher can answer from a local copy without a round trip.
   * It first receives every live entry, then `synced()`; after a lost connection, everything again
   * and `synced()`. Returns a function that stops the watch. Stores without it are asked per request.
   */
  watch?(prefix: string, watcher: StoreWatcher): () => void;
}

/**
 * What a {@link SessionStore} tells a watcher of a key prefix (`SessionStore.watch`).
 *
 * @example
 * ```ts
 * const seen = new Set<string>();
 * store.watch?.("revoked:", { set: (key) => seen.add(key), delete: (key) => seen.delete(key), synced() {}, error() {} });
 * ```
 */
export interface StoreWatcher {
  /** `key` holds `value` (set by any instance, or found again by a resynchronisation). */
  set(key: string, value: string): void;
  /** `key` was deleted. */
  delete(key: string): void;
  /** Every entry that existed has been delivered: after the first load, and after every reconnection. */
  synced(): void;
  /** The store lost its connection: entries set elsewhere meanwhile arrive before the next `synced()`. */
  error(error: unknown): void;
}

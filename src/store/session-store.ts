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
}

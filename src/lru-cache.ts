/**
 * A bounded least-recently-used map. `Map` keeps insertion order, so re-inserting on every hit
 * makes its first key the least recently used one.
 *
 * @example
 * ```ts
 * const cache = new LruCache<string, number>(2);
 * cache.set("a", 1); cache.set("b", 2); cache.get("a"); cache.set("c", 3); // evicts "b"
 * ```
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
    this.#entries.set(key, value);
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

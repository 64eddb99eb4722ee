/** One entry, linked in order of use: `older` toward the least recently used, `newer` toward the most. */
interface Entry<K, V> {
  readonly key: K;
  value: V;
  older: Entry<K, V> | undefined;
  newer: Entry<K, V> | undefined;
}

/**
 * A bounded least-recently-used map: a `Map` finds an entry, a doubly linked list orders them by use.
 * A hit only relinks the entry and never deletes and re-adds its key: a `Map` may keep a deleted
 * key's slot until it rebuilds its table, so one hot key deleted and re-added on every hit would
 * make its own lookups slower and slower. A bound of 0 keeps nothing.
 *
 * @example
 * ```ts
 * const cache = new LruCache<string, number>(2);
 * cache.set("a", 1); cache.set("b", 2); cache.get("a"); cache.set("c", 3); // evicts "b"
 * ```
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, Entry<K, V>>();
  #oldest: Entry<K, V> | undefined;
  #newest: Entry<K, V> | undefined;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value, now the most recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#touch(entry);
    return entry.value;
  }

  /** Whether `key` is held, without making it more recently used. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  set(key: K, value: V): void {
    if (this.maxEntries === 0) return;
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      existing.value = value;
      this.#touch(existing);
      return;
    }
    if (this.#entries.size >= this.maxEntries) this.#remove(this.#oldest!);
    const entry: Entry<K, V> = { key, value, older: this.#newest, newer: undefined };
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
    this.#entries.set(key, entry);
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(entry);
  }

  clear(): void {
    this.#entries.clear();
    this.#oldest = this.#newest = undefined;
  }

  /** Makes `entry` the most recently used. */
  #touch(entry: Entry<K, V>): void {
    if (entry === this.#newest) return;
    this.#unlink(entry);
    entry.older = this.#newest;
    entry.newer = undefined;
    this.#newest!.newer = entry;
    this.#newest = entry;
  }

  #remove(entry: Entry<K, V>): void {
    this.#unlink(entry);
    this.#entries.delete(entry.key);
  }

  /** Takes `entry` out of the order; its neighbours (or the ends) point past it. */
  #unlink(entry: Entry<K, V>): void {
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
  }
}

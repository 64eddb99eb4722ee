/**
 * A bounded least-recently-used map. Entries live in slots chained from least to most recently
 * used; a `Map` finds a key's slot. A hit only relinks its slot (a few array writes): it never
 * deletes and re-inserts the key, which would churn the `Map`'s hash table on every read of a hot
 * key. Slots are allocated as the cache fills, so a large `maxEntries` costs nothing up front.
 *
 * @example
 * ```ts
 * const cache = new LruCache<string, number>(2);
 * cache.set("a", 1); cache.set("b", 2); cache.get("a"); cache.set("c", 3); // evicts "b"
 * ```
 */
export class LruCache<K, V> {
  readonly #slotOf = new Map<K, number>();
  #keys: (K | undefined)[] = [];
  #values: (V | undefined)[] = [];
  /** Per slot: the next more recently used slot, or -1 for the most recent one. */
  #newer: number[] = [];
  /** Per slot: the next less recently used slot, or -1 for the least recent one. */
  #older: number[] = [];
  /** Slots emptied by `delete`, reused before new ones are allocated. */
  #free: number[] = [];
  /** The least recently used slot (evicted first), or -1 when empty. */
  #oldest = -1;
  /** The most recently used slot, or -1 when empty. */
  #newest = -1;
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#slotOf.size;
  }

  get(key: K): V | undefined {
    const slot = this.#slotOf.get(key);
    if (slot === undefined) return undefined;
    if (slot !== this.#newest) {
      this.#unlink(slot);
      this.#linkNewest(slot);
    }
    return this.#values[slot];
  }

  set(key: K, value: V): void {
    let slot = this.#slotOf.get(key);
    if (slot !== undefined) {
      this.#values[slot] = value;
      if (slot !== this.#newest) {
        this.#unlink(slot);
        this.#linkNewest(slot);
      }
      return;
    }
    if (this.#slotOf.size >= this.maxEntries && this.#oldest !== -1) {
      // Full: reuse the least recently used slot for the new entry.
      slot = this.#oldest;
      this.#slotOf.delete(this.#keys[slot] as K);
      this.#unlink(slot);
    } else {
      slot = this.#free.pop() ?? this.#allocate();
    }
    this.#keys[slot] = key;
    this.#values[slot] = value;
    this.#slotOf.set(key, slot);
    this.#linkNewest(slot);
  }

  delete(key: K): void {
    const slot = this.#slotOf.get(key);
    if (slot === undefined) return;
    this.#slotOf.delete(key);
    this.#unlink(slot);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#free.push(slot);
  }

  clear(): void {
    this.#slotOf.clear();
    this.#keys = [];
    this.#values = [];
    this.#newer = [];
    this.#older = [];
    this.#free = [];
    this.#oldest = -1;
    this.#newest = -1;
  }

  #allocate(): number {
    const slot = this.#keys.length;
    this.#keys.push(undefined);
    this.#values.push(undefined);
    this.#newer.push(-1);
    this.#older.push(-1);
    return slot;
  }

  #unlink(slot: number): void {
    const newer = this.#newer[slot] as number;
    const older = this.#older[slot] as number;
    if (newer === -1) this.#newest = older;
    else this.#older[newer] = older;
    if (older === -1) this.#oldest = newer;
    else this.#newer[older] = newer;
  }

  #linkNewest(slot: number): void {
    this.#older[slot] = this.#newest;
    this.#newer[slot] = -1;
    if (this.#newest === -1) this.#oldest = slot;
    else this.#newer[this.#newest] = slot;
    this.#newest = slot;
  }
}

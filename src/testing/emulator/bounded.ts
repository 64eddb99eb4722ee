// Bounded containers for the emulator's memory: whatever a test (or a flood of junk requests)
// sends, the request log, OTPs and activities never grow past their configured size.

/** The most recent `capacity` items, oldest first: pushing onto a full buffer drops the oldest. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.#items[(this.#start + this.#size) % this.capacity] = item;
    if (this.#size < this.capacity) this.#size += 1;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** A copy, oldest first. */
  toArray(): T[] {
    return Array.from({ length: this.#size }, (_, index) => this.#items[(this.#start + index) % this.capacity] as T);
  }
}

/** A `Map` holding at most `capacity` entries: adding one more forgets the oldest added. */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #capacity: number;

  constructor(capacity: number) {
    super();
    this.#capacity = capacity;
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    for (const oldest of this.keys()) {
      if (this.size <= this.#capacity) break;
      this.delete(oldest);
    }
    return this;
  }
}

/** A size option of the emulator, checked: a `TypeError` naming it otherwise. */
export function capacityOption(value: number | undefined, option: string, fallback: number): number {
  const capacity = value ?? fallback;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1_000_000) {
    throw new TypeError(`startTurnkeyEmulator: ${option} must be a whole number from 1 to 1000000`);
  }
  return capacity;
}

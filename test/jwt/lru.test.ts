import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruCache } from "../../src/jwt/lru.js";

/** The obvious model: an array, least recently used first. */
class ModelLru {
  entries: Array<[number, number]> = [];
  constructor(readonly max: number) {}
  get(key: number) {
    const index = this.entries.findIndex(([k]) => k === key);
    if (index < 0) return undefined;
    const [entry] = this.entries.splice(index, 1);
    this.entries.push(entry!);
    return entry![1];
  }
  set(key: number, value: number) {
    if (this.max === 0) return;
    const index = this.entries.findIndex(([k]) => k === key);
    if (index >= 0) this.entries.splice(index, 1);
    else if (this.entries.length >= this.max) this.entries.shift();
    this.entries.push([key, value]);
  }
  delete(key: number) {
    this.entries = this.entries.filter(([k]) => k !== key);
  }
}

describe("LruCache", () => {
  it("evicts the least recently used entry, a hit counting as a use", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });

  it("keeps nothing with a bound of 0, and empties on clear", () => {
    const none = new LruCache<string, number>(0);
    none.set("a", 1);
    expect(none.get("a")).toBeUndefined();
    const cache = new LruCache<string, number>(3);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.clear();
    expect([cache.size, cache.get("a")]).toEqual([0, undefined]);
    cache.set("c", 3);
    expect(cache.get("c")).toBe(3);
  });

  it("agrees with an array model on any sequence of gets, sets, deletes and has", () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant("get" as const), key: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant("set" as const), key: fc.integer({ min: 0, max: 7 }), value: fc.integer() }),
      fc.record({ op: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant("has" as const), key: fc.integer({ min: 0, max: 7 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(operation, { maxLength: 80 }), (max, operations) => {
        const cache = new LruCache<number, number>(max);
        const model = new ModelLru(max);
        for (const step of operations) {
          if (step.op === "get") expect(cache.get(step.key)).toBe(model.get(step.key));
          else if (step.op === "has") expect(cache.has(step.key)).toBe(model.entries.some(([k]) => k === step.key));
          else if (step.op === "set") {
            cache.set(step.key, step.value);
            model.set(step.key, step.value);
          } else {
            cache.delete(step.key);
            model.delete(step.key);
          }
          expect(cache.size).toBe(model.entries.length);
        }
        // The order of use survives: reading every key back least recent first matches the model.
        for (const [key, value] of [...model.entries]) expect(cache.get(key)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});

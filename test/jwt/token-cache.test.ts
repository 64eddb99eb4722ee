import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenCache } from "../../src/jwt/token-cache.js";

const SIGNATURE = "s".repeat(86);

describe("TokenCache", () => {
  it("finds a value by its very token only, never by another token ending in the same signature", () => {
    const cache = new TokenCache<string>(4);
    cache.set(`a.b.${SIGNATURE}`, "first");
    expect(cache.get(`a.b.${SIGNATURE}`)).toBe("first");
    expect(cache.get(`a.c.${SIGNATURE}`)).toBeUndefined();
    expect(cache.get(SIGNATURE)).toBeUndefined();
    cache.delete(`a.c.${SIGNATURE}`); // a forgery cannot evict it
    expect(cache.get(`a.b.${SIGNATURE}`)).toBe("first");
    cache.delete(`a.b.${SIGNATURE}`);
    expect(cache.get(`a.b.${SIGNATURE}`)).toBeUndefined();
    expect(cache.get(42 as unknown as string)).toBeUndefined();
  });

  it("answers each token with the last value set for it, or nothing, and stays bounded (fast-check)", () => {
    // Few distinct endings, so that tokens often share a signature.
    const token = fc.tuple(fc.constantFrom("h.p1.", "h.p2.", "", "x."), fc.constantFrom(SIGNATURE, `t${SIGNATURE}`, "short")).map(([head, tail]) => head + tail);
    const operation = fc.tuple(fc.constantFrom("set", "get", "delete"), token, fc.integer());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(operation, { maxLength: 60 }), (max, operations) => {
        const cache = new TokenCache<number>(max);
        const lastSet = new Map<string, number>();
        for (const [kind, each, value] of operations) {
          if (kind === "set") {
            cache.set(each, value);
            lastSet.set(each, value);
          } else if (kind === "delete") {
            cache.delete(each);
            lastSet.delete(each);
          } else {
            const found = cache.get(each);
            if (found !== undefined) expect(found).toBe(lastSet.get(each));
          }
          expect(cache.size).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });
});

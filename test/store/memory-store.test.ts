import { describe, expect, it } from "vitest";
import { createMemoryStore, createSessionVerifier } from "../../src/index.js";

describe("createMemoryStore", () => {
  it("gets what was set until its TTL passes", async () => {
    let time = 1_800_000_000_000;
    const store = createMemoryStore({ now: () => time });
    await store.set("revoked:a", "1", 1000);
    expect(await store.get("revoked:a")).toBe("1");
    time += 999;
    expect(await store.get("revoked:a")).toBe("1");
    time += 1;
    expect(await store.get("revoked:a")).toBeUndefined();
  });

  it("setIfAbsent sets once, and again only after expiry", async () => {
    let time = 1_800_000_000_000;
    const store = createMemoryStore({ now: () => time });
    expect(await store.setIfAbsent("dpop:k:j", "1", 60_000)).toBe(true);
    expect(await store.setIfAbsent("dpop:k:j", "2", 60_000)).toBe(false);
    expect(await store.get("dpop:k:j")).toBe("1");
    time += 60_000;
    expect(await store.setIfAbsent("dpop:k:j", "3", 60_000)).toBe(true);
  });

  it("delete removes; set replaces", async () => {
    const store = createMemoryStore();
    await store.set("k", "1", 1000);
    await store.set("k", "2", 1000);
    expect(await store.get("k")).toBe("2");
    await store.delete("k");
    expect(await store.get("k")).toBeUndefined();
    await store.delete("absent");
  });

  it("never evicts a live entry: a write beyond maxEntries rejects, expired entries make room", async () => {
    let time = 1_800_000_000_000;
    const store = createMemoryStore({ maxEntries: 2, now: () => time });
    await store.set("a", "1", 10);
    await store.set("b", "1", 1000);
    await expect(store.setIfAbsent("c", "1", 1000)).rejects.toThrow(/maxEntries/);
    expect(await store.get("a")).toBe("1");
    time += 10;
    expect(await store.setIfAbsent("c", "1", 1000)).toBe(true);
    expect(await store.get("b")).toBe("1");
  });

  it("refuses a TTL that is not a whole number of milliseconds, and bad options by name", async () => {
    const store = createMemoryStore();
    await expect(store.set("k", "1", 0)).rejects.toThrow(RangeError);
    await expect(store.set("k", "1", 1.5)).rejects.toThrow(RangeError);
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(/"maxEntries"/);
  });
});

describe("VerifyOptions.store", () => {
  it("is the verifier's store, or a memory store of its own by default", () => {
    const store = createMemoryStore();
    expect(createSessionVerifier({ trustedOrganizations: "any", store }).store).toBe(store);
    const a = createSessionVerifier({ trustedOrganizations: "any" }).store;
    const b = createSessionVerifier({ trustedOrganizations: "any" }).store;
    expect(a).not.toBe(b);
  });

  it("refuses something that is not a store, naming the option", () => {
    expect(() => createSessionVerifier({ trustedOrganizations: "any", store: {} as never })).toThrow(/"store"/);
  });
});

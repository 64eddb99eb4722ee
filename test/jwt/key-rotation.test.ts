// Several notarizer keys: a token verifies under any of them, so a change of Turnkey's key needs no downtime.
import { describe, expect, it } from "vitest";
import { createSessionVerifier } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const current = createTestNotarizer();
const next = createTestNotarizer();
const stranger = createTestNotarizer();

describe("notarizerPublicKey: several keys", () => {
  it("verifies tokens of every listed key, in either order, and no other", async () => {
    for (const keys of [[current.publicKey, next.publicKey], [next.publicKey, current.publicKey]]) {
      const verifier = createSessionVerifier({ notarizerPublicKey: keys, trustedOrganizations: "any" });
      expect((await verifier.verify(await current.sign({ user_id: "by-current" }))).userId).toBe("by-current");
      expect((await verifier.verify(await next.sign({ user_id: "by-next" }))).userId).toBe("by-next");
      await expect(verifier.verify(await stranger.sign())).rejects.toMatchObject({ code: "invalid_signature" });
      expect(verifier.notarizerPublicKey).toEqual(keys);
    }
  });

  it("keeps one key working as before, and a list of one like the key alone", async () => {
    const single = createSessionVerifier({ notarizerPublicKey: current.publicKey, trustedOrganizations: "any" });
    const listed = createSessionVerifier({ notarizerPublicKey: [current.publicKey], trustedOrganizations: "any" });
    const token = await next.sign();
    await expect(single.verify(token)).rejects.toMatchObject({ code: "invalid_signature" });
    await expect(listed.verify(token)).rejects.toMatchObject({ code: "invalid_signature" });
    expect(single.notarizerPublicKey).toBe(current.publicKey);
  });

  it("refuses, at creation, an empty list, too many keys, or a bad key among good ones", () => {
    const make = (notarizerPublicKey: unknown) => () => createSessionVerifier({ notarizerPublicKey: notarizerPublicKey as string[], trustedOrganizations: "any" });
    expect(make([])).toThrow(/option "notarizerPublicKey" must be one key or a list of 1 to 4 keys/);
    expect(make(Array.from({ length: 5 }, () => current.publicKey))).toThrow(/list of 1 to 4 keys/);
    expect(make([current.publicKey, "04" + "00".repeat(64)])).toThrow(/option "notarizerPublicKey" must be a P-256 public key/);
    expect(make([current.publicKey, 42])).toThrow(TypeError);
  });

  it("copies the list, so changing it later changes nothing", async () => {
    const keys = [current.publicKey];
    const verifier = createSessionVerifier({ notarizerPublicKey: keys, trustedOrganizations: "any" });
    keys.push(next.publicKey);
    await expect(verifier.verify(await next.sign())).rejects.toMatchObject({ code: "invalid_signature" });
    expect(verifier.notarizerPublicKey).toEqual([current.publicKey]);
  });
});

describe("verify() given an Authorization header's value", () => {
  it('says to pass the token without "Bearer ", and does not echo it', async () => {
    const verifier = createSessionVerifier({ notarizerPublicKey: current.publicKey, trustedOrganizations: "any" });
    const token = await current.sign();
    for (const value of [`Bearer ${token}`, `bearer ${token}`]) {
      const error = (await verifier.verify(value).then(() => undefined, (thrown: unknown) => thrown)) as Error & { code: string };
      expect(error.code).toBe("malformed_token");
      expect(error.message).toMatch(/it starts with "Bearer ", so it is the Authorization header's value; pass the token alone/);
      expect(error.message).not.toContain(token.slice(0, 12));
    }
  });
});

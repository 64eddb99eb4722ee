// The test kit's sign() mints only what Turnkey issues: its own claims, exp in seconds (issue 19).
import { describe, expect, it } from "vitest";
import { createSessionVerifier } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const notarizer = createTestNotarizer();

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("TestNotarizer.sign", () => {
  it("mints a token the verifier accepts, with the claims given and fresh defaults", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1", exp: NOW / 1000 + 60 }, { now: NOW });
    const verifier = createSessionVerifier({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, now: () => NOW });
    expect(await verifier.verify(token)).toMatchObject({ organizationId: "org-1", userId: "user-1", expiresAt: NOW / 1000 + 60 });
    expect(payloadOf(await notarizer.sign({}, { now: NOW })).exp).toBe(NOW / 1000 + 900);
  });

  it("refuses a claim Turnkey does not issue, such as a camelCase spelling", async () => {
    const camelCase = { userId: "user-1" } as never;
    await expect(notarizer.sign(camelCase)).rejects.toThrow(/"userId" is not a claim Turnkey issues/);
    await expect(notarizer.sign({ organization_id: "org-1", extra: 1 } as never)).rejects.toThrow(TypeError);
  });

  it("refuses an exp in milliseconds, which would make a token valid for millennia", async () => {
    await expect(notarizer.sign({ exp: NOW + 60_000 })).rejects.toThrow(/seconds since the epoch, not milliseconds/);
    await expect(notarizer.sign({}, { expiresInSeconds: NOW })).rejects.toThrow(/"expiresInSeconds" must be a number of seconds/);
    await expect(notarizer.sign({ exp: Number.NaN })).rejects.toThrow(TypeError);
    await expect(notarizer.sign({ exp: "1" } as never)).rejects.toThrow(TypeError);
  });

  it("refuses a clock in seconds for `now`", async () => {
    await expect(notarizer.sign({}, { now: NOW / 1000 })).rejects.toThrow(/"now" must be milliseconds/);
  });

  it("still signs any payload byte for byte with signRaw", () => {
    const token = notarizer.signRaw({ payload: { exp: NOW + 60_000, userId: "user-1" } });
    expect(payloadOf(token)).toEqual({ exp: NOW + 60_000, userId: "user-1" });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTurnkeyFlowError } from "../../src/flows/index.js";
import { checkOidcToken, oauthNonce } from "../../src/flows/oidc-token.js";
import { createTestClientKey, oauthNonceOf } from "../../src/testing/index.js";

const allow = { issuers: ["https://issuer.example"], audiences: ["app"] };
const publicKey = createTestClientKey().publicKey;
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("the OIDC token pre-check of oauthLogin", () => {
  it("computes Turnkey's nonce as the emulator does: lowercase hex sha256 of the key's hex text", async () => {
    expect(await oauthNonce(publicKey)).toBe(oauthNonceOf(publicKey));
    expect(await oauthNonce("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("accepts a token of an allowed issuer and audience (one of several), unexpired, with the key's nonce", async () => {
    const token = `${segment({ alg: "RS256" })}.${segment({ iss: allow.issuers[0], aud: ["other", "app"], sub: "u", exp: 2_000_000_000, nonce: oauthNonceOf(publicKey) })}.sig`;
    await expect(checkOidcToken(token, publicKey, allow, Date.UTC(2026, 0, 1))).resolves.toEqual({ iss: allow.issuers[0], sub: "u", aud: "app" });
  });

  it("answers any hostile string or claims object with a 400 invalid_request that never quotes it", async () => {
    const claims = fc.record(
      { iss: fc.oneof(fc.constant(allow.issuers[0]), fc.anything()), aud: fc.oneof(fc.constant("app"), fc.anything()), sub: fc.anything(), exp: fc.anything(), nonce: fc.anything() },
      { requiredKeys: [] },
    );
    const tokens = fc.oneof(
      fc.string({ maxLength: 200 }),
      claims.map((payload) => `${segment({ alg: "none" })}.${segment(payload)}.x`),
      fc.string({ minLength: 8193, maxLength: 9000 }),
    );
    await fc.assert(
      fc.asyncProperty(tokens, async (token) => {
        const outcome = await checkOidcToken(token, publicKey, allow, Date.UTC(2026, 0, 1)).then(() => undefined, (error: unknown) => error);
        expect(isTurnkeyFlowError(outcome) && outcome.code === "invalid_request" && outcome.status === 400).toBe(true);
        const message = (outcome as Error).message;
        for (const part of token.split(".").filter((piece) => piece.length >= 8)) expect(message).not.toContain(part);
      }),
      { numRuns: 500 },
    );
  });
});

import { describe, expect, it } from "vitest";
import fixture from "../fixtures/turnkey-upstream-tokens.json" with { type: "json" };
import { decodeSessionJwt, isTurnkeyAuthError } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isTurnkeyAuthError(error) ? error.code : "not a TurnkeyAuthError";
  }
  return undefined;
}

describe("decodeSessionJwt", () => {
  it("decodes the real Turnkey token without checking signature or expiry", () => {
    const session = decodeSessionJwt(fixture.sessionJwt.token);
    expect(session).toMatchObject({
      userId: fixture.sessionJwt.claims.user_id,
      organizationId: fixture.sessionJwt.claims.organization_id,
      sessionType: "SESSION_TYPE_READ_WRITE",
      expiresAt: fixture.sessionJwt.claims.exp,
      publicKey: fixture.sessionJwt.claims.public_key,
    });
  });

  it("decodes tokens signed by any key: it is for display, not for authorization", async () => {
    const token = await createTestNotarizer().sign({ user_id: "someone" });
    expect(decodeSessionJwt(token).userId).toBe("someone");
  });

  it("throws typed errors, never quoting the token", async () => {
    expect(codeOf(() => decodeSessionJwt(""))).toBe("missing_token");
    expect(codeOf(() => decodeSessionJwt("abc.%%%.def"))).toBe("malformed_token");
    expect(codeOf(() => decodeSessionJwt("x".repeat(9000)))).toBe("malformed_token");
    const token = await createTestNotarizer().sign({ user_id: 42 as never });
    expect(codeOf(() => decodeSessionJwt(token))).toBe("invalid_claims");
    let message = "";
    try {
      decodeSessionJwt("eyJhbGciOiJFUzI1NiJ9.eyJzZWNyZXQiOi.sig");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/malformed/);
    expect(message).not.toContain("eyJzZWNyZXQiOi");
  });
});

// Reading `Authorization: DPoP <token>` and the `DPoP` header (RFC 9449 §4.3 check 1, §7.1).
import { describe, expect, it } from "vitest";
import { dpopProofOf, extractCredential } from "../../src/http/extract-token.js";
import { isTurnkeyAuthError } from "../../src/index.js";

const codeOf = (run: () => unknown) => {
  try {
    return run();
  } catch (error) {
    return isTurnkeyAuthError(error) ? error.code : error;
  }
};

describe("extractCredential", () => {
  it("reads the DPoP scheme (case-insensitive) only when asked, and says which scheme carried the token", () => {
    expect(extractCredential({ headers: { authorization: "DPoP abc.def.ghi" } }, { dpop: true })).toEqual({ token: "abc.def.ghi", scheme: "DPoP" });
    expect(extractCredential({ headers: { authorization: "dpop  abc" } }, { dpop: true })).toEqual({ token: "abc", scheme: "DPoP" });
    expect(extractCredential({ headers: { authorization: "DPoP abc" } })).toBeUndefined();
    expect(extractCredential({ headers: { authorization: "Bearer abc" } }, { dpop: true })).toEqual({ token: "abc", scheme: "Bearer" });
    expect(extractCredential({ headers: { cookie: "s=abc" } }, { dpop: true, cookieName: "s" })).toEqual({ token: "abc", scheme: "cookie" });
    expect(extractCredential({ headers: { authorization: "DPoPx abc" } }, { dpop: true })).toBeUndefined();
    expect(codeOf(() => extractCredential({ headers: { authorization: "DPoP" } }, { dpop: true }))).toBe("malformed_token");
    expect(codeOf(() => extractCredential({ headers: { authorization: "DPoP a b" } }, { dpop: true }))).toBe("malformed_token");
  });
});

describe("dpopProofOf", () => {
  it("returns the one DPoP value, refuses several (raw list, array, or joined)", () => {
    expect(dpopProofOf({ headers: { dpop: "a.b.c" } })).toBe("a.b.c");
    expect(dpopProofOf({ headers: {} })).toBeUndefined();
    expect(dpopProofOf({ headers: new Headers({ dpop: "a.b.c" }) })).toBe("a.b.c");
    expect(codeOf(() => dpopProofOf({ headers: { dpop: "a.b.c" }, rawHeaders: ["DPoP", "a.b.c", "dpop", "a.b.c"] }))).toBe("invalid_dpop_proof");
    expect(codeOf(() => dpopProofOf({ headers: { dpop: ["a.b.c", "d.e.f"] } }))).toBe("invalid_dpop_proof");
    expect(codeOf(() => dpopProofOf({ headers: { dpop: "a.b.c, d.e.f" } }))).toBe("invalid_dpop_proof");
  });
});

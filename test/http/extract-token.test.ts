// Every header and cookie edge case, once, against the one parser (extractToken), in both forms a
// framework hands headers over: Node's (an object, plus the raw list that keeps duplicates) and
// Fetch's `Headers` (which joins repeated values). Each case ends in the code a request gets:
// extraction, then verification of what was extracted.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSessionVerifier, extractToken, isTurnkeyAuthError, type TokenSource, type TurnkeyAuthErrorCode } from "../../src/index.js";
import { extractCredential } from "../../src/http/extract-token.js";
import { createTestNotarizer } from "../../src/testing/index.js";

type HeaderPairs = ReadonlyArray<readonly [string, string]>;

const notarizer = createTestNotarizer();
const VALID = await notarizer.sign({ organization_id: "org-1" });
const [VALID_H, VALID_P, VALID_S] = VALID.split(".") as [string, string, string];
const verifier = createSessionVerifier({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey });
const KB16 = 16 * 1024;
const COOKIE = { cookieName: "tk_session" };

/** The headers as Node hands them over: lower-case names, the first Authorization only, cookies joined; and the raw list. */
function nodeForm(pairs: HeaderPairs): TokenSource {
  const headers: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (key === "cookie" && headers.cookie !== undefined) headers.cookie += `; ${value}`;
    else headers[key] ??= value;
  }
  return { headers, rawHeaders: pairs.flat() };
}

/** The headers as a Fetch `Headers` (Hono, Workers): repeated values joined by ", ". */
function fetchForm(pairs: HeaderPairs): TokenSource {
  const headers = new Headers();
  for (const [name, value] of pairs) headers.append(name, value);
  return { headers };
}

/** What a request with these headers gets: the extracted token's verdict, or extraction's refusal. */
async function codeOf(source: TokenSource, options = COOKIE): Promise<"accepted" | TurnkeyAuthErrorCode> {
  let token: string | undefined;
  try {
    token = extractToken(source, options);
  } catch (error) {
    if (!isTurnkeyAuthError(error)) throw error;
    expect(error.message).not.toContain(VALID_S); // never quotes the header
    return error.code;
  }
  if (token === undefined) return "missing_token";
  try {
    await verifier.verify(token);
    return "accepted";
  } catch (error) {
    if (!isTurnkeyAuthError(error)) throw error;
    return error.code;
  }
}

const bearer = (token: string): HeaderPairs => [["authorization", `Bearer ${token}`]];
const cookie = (value: string): HeaderPairs => [["cookie", value]];

// [name, headers, code in Node form, code in Fetch form (when it differs)]
const CORPUS: ReadonlyArray<readonly [name: string, pairs: HeaderPairs, nodeCode: string, fetchCode?: string]> = [
  ["no headers at all", [], "missing_token"],
  ["the valid token", bearer(VALID), "accepted"],
  ["the scheme in any case, spaces around and between", [["authorization", `  bEaReR    ${VALID}  `]], "accepted"],
  ["empty Authorization", [["authorization", ""]], "missing_token"],
  ["Bearer with nothing", [["authorization", "Bearer"]], "malformed_token"],
  ["Bearer and spaces only", [["authorization", "Bearer    "]], "malformed_token"],
  ["bearer and a tab only", [["authorization", "bearer\t"]], "malformed_token"],
  ["tab between scheme and token", [["authorization", `Bearer\t${VALID}`]], "malformed_token"],
  ["tab inside the token", [["authorization", `Bearer ${VALID_H}.\t${VALID_P}.${VALID_S}`]], "malformed_token"],
  ["space inside the token", [["authorization", `Bearer ${VALID_H}. ${VALID_P}.${VALID_S}`]], "malformed_token"],
  ["a word after the token", [["authorization", `Bearer ${VALID} extra`]], "malformed_token"],
  ["a comma after the token", [["authorization", `Bearer ${VALID},x`]], "malformed_token"],
  ["padding only", [["authorization", "Bearer =="]], "malformed_token"],
  ["Bearer =", [["authorization", "Bearer ="]], "malformed_token"],
  ["NBSP between scheme and token: another scheme, no token", [["authorization", `Bearer\u00a0${VALID}`]], "missing_token"],
  ["no space after the scheme: another scheme", [["authorization", `Bearer${VALID}`]], "missing_token"],
  ["non-ASCII (é) after the token", [["authorization", `Bearer ${VALID}\u00e9`]], "malformed_token"],
  ["UTF-8 bytes of é (as latin1) inside the payload", [["authorization", `Bearer ${VALID_H}.${VALID_P.slice(0, 10)}\u00c3\u00a9${VALID_P.slice(10)}.${VALID_S}`]], "malformed_token"],
  ["two tokens in one header, comma-separated", [["authorization", `Bearer ${VALID}, Bearer ${VALID}`]], "malformed_token"],
  ["the scheme twice", [["authorization", `Bearer Bearer ${VALID}`]], "malformed_token"],
  ["Basic", [["authorization", "Basic dXNlcjpwYXNz"]], "missing_token"],
  ["another scheme carrying a JWT (Token)", [["authorization", `Token ${VALID}`]], "missing_token"],
  ["Bearer null: a b64token that is no JWT", [["authorization", "Bearer null"]], "malformed_token"],
  ["Bearer __proto__", [["authorization", "Bearer __proto__"]], "malformed_token"],
  ["Bearer ...", [["authorization", "Bearer ..."]], "malformed_token"],
  // Repeated headers: Node's raw list keeps both; Fetch joins them into one value.
  ["two Authorization headers, both the valid token", [...bearer(VALID), ...bearer(VALID)], "malformed_token"],
  ["Authorization and AUTHORIZATION", [["authorization", `Bearer ${VALID}`], ["AUTHORIZATION", `Bearer ${VALID}`]], "malformed_token"],
  ["two Authorization headers: Bearer valid, then Basic", [...bearer(VALID), ["authorization", "Basic dXNlcjpwYXNz"]], "malformed_token"],
  ["two Authorization headers: Basic, then Bearer valid", [["authorization", "Basic dXNlcjpwYXNz"], ...bearer(VALID)], "malformed_token", "missing_token"],
  ["one Authorization among look-alikes", [["Host", "x"], ...bearer(VALID), ["X-Authorization", "Bearer other"]], "accepted"],
  // Size: extraction is linear, verification refuses what is too long before decoding.
  ["Bearer with a 16 KB token", [["authorization", `Bearer ${"A".repeat(KB16)}`]], "malformed_token"],
  ["Bearer with a 16 KB three-segment token", [["authorization", `Bearer ${VALID_H}.${"A".repeat(KB16)}.${VALID_S}`]], "malformed_token"],
  ["Basic with a 16 KB value", [["authorization", `Basic ${"A".repeat(KB16)}`]], "missing_token"],
  ["16 KB of tabs and spaces after Bearer", [["authorization", `Bearer${" \t".repeat(KB16 / 2)}x`]], "malformed_token"],
  // Cookies (cookieName "tk_session").
  ["the session cookie", cookie(`theme=dark; tk_session=${VALID}`), "accepted"],
  ["16 KB session cookie", cookie(`tk_session=${"A".repeat(KB16)}`), "malformed_token"],
  ["16 KB of other cookies and no session", cookie(`junk=${"x".repeat(KB16)}`), "missing_token"],
  ["the session cookie twice (even the same valid token)", cookie(`tk_session=${VALID}; tk_session=${VALID}`), "malformed_token"],
  ["the session cookie in two Cookie headers", [...cookie(`tk_session=${VALID}`), ...cookie(`tk_session=${VALID}`)], "malformed_token"],
  ["empty session cookie", cookie("tk_session=; theme=dark"), "missing_token"],
  ["the cookie name in other case", cookie(`TK_SESSION=${VALID}`), "missing_token"],
  ["__proto__ and constructor cookies only", cookie(`__proto__=${VALID}; constructor=${VALID}`), "missing_token"],
  // Header and cookie: the header wins, and an unusable Bearer header never falls back to the cookie.
  ["a valid header and another valid cookie: the header's", [...bearer(VALID), ...cookie("tk_session=not.a.jwt")], "accepted"],
  ["an unusable Bearer header with a valid cookie", [["authorization", `bearer\t${VALID}`], ...cookie(`tk_session=${VALID}`)], "malformed_token"],
  ["a refused Bearer token with a valid cookie", [...bearer(`${VALID_H}.${VALID_P}.${"A".repeat(86)}`), ...cookie(`tk_session=${VALID}`)], "invalid_signature"],
  ["another scheme (Basic), then the cookie", [["authorization", "Basic dXNlcjpwYXNz"], ...cookie(`tk_session=${VALID}`)], "accepted"],
];

describe("extractToken: every header and cookie case, in Node's form and Fetch's", () => {
  for (const [name, pairs, nodeCode, fetchCode = nodeCode] of CORPUS) {
    it(name, async () => {
      expect(await codeOf(nodeForm(pairs))).toBe(nodeCode);
      expect(await codeOf(fetchForm(pairs))).toBe(fetchCode);
    });
  }

  it("reads a cookie only when cookieName is set, and the header wins over it", () => {
    const other = "h.p.s";
    expect(extractToken(nodeForm(cookie(`tk_session=${VALID}`)))).toBeUndefined();
    expect(extractToken(nodeForm([["authorization", `Bearer ${other}`], ...cookie(`tk_session=${VALID}`)]), COOKIE)).toBe(other);
  });

  it("an Authorization header given as an array (one value) is read; several are refused", () => {
    expect(extractToken({ headers: { authorization: [`Bearer ${VALID}`] } })).toBe(VALID);
    expect(() => extractToken({ headers: { authorization: [`Bearer ${VALID}`, "Bearer other"] } })).toThrow(/more than once/);
  });

  it("huge headers are handled in linear time", () => {
    for (const value of [`Bearer ${"A".repeat(5_000_000)}`, `Bearer ${"a".repeat(1_000_000)}${"=".repeat(100_000)}!`, `Bearer ${" ".repeat(1_000_000)}!`, `bearer${"\t".repeat(1_000_000)}x`, `${"Bearer ".repeat(200_000)}x`]) {
      const started = performance.now();
      try {
        extractToken({ headers: { authorization: value } });
      } catch (error) {
        expect(isTurnkeyAuthError(error) && error.code).toBe("malformed_token");
        expect((error as Error).message.length).toBeLessThan(200);
      }
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it("finds one credential and leaves its characters to the verifier, which refuses what is no JWT", async () => {
    for (const credential of ["abc$def", "==", "x\u00e9", "null"]) {
      expect(extractToken({ headers: { authorization: `Bearer ${credential}` } })).toBe(credential);
      await expect(verifier.verify(credential)).rejects.toMatchObject({ code: "malformed_token" });
    }
    for (const value of [`Bearer ${VALID} x`, `Bearer ${VALID},x`, `Bearer a\tb`]) {
      expect(() => extractToken({ headers: { authorization: value } })).toThrow("The Authorization header is malformed: expected 'Bearer <token>'");
    }
  });

  it("property: the scheme matches in any ASCII case, and only in ASCII (RFC 7235 §2.1)", () => {
    // Look-alikes around the letters: fullwidth, Cyrillic, Latin small capitals, and the characters
    // one bit away from a letter's upper case ("@", "`", "\u0002").
    const character = fc.constantFrom(..."bBeEaArRdDpPoO", "\uff42", "\u0412", "\u0435", "\u0280", "@", "`", "\u0002", "\u00e9");
    const scheme = fc.oneof(fc.string({ unit: character, minLength: 4, maxLength: 6 }), fc.constantFrom("bEaReR", "BEARER", "dPoP", "DPOP"));
    fc.assert(
      fc.property(scheme, (prefix) => {
        const credential = extractCredential({ headers: { authorization: `${prefix} abc` } }, { dpop: true });
        const expected = /^bearer$/i.test(prefix) ? "Bearer" : /^dpop$/i.test(prefix) ? "DPoP" : undefined;
        expect(credential?.scheme).toBe(expected);
        if (expected !== undefined) expect(credential?.token).toBe("abc");
      }),
      { numRuns: 2_000 },
    );
  });

  it("property: whatever the header, one credential (no space, tab or comma) from a Bearer value, undefined, or malformed_token", () => {
    const header = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.tuple(fc.constantFrom("Bearer", "bearer", "BEARER", "Basic", ""), fc.constantFrom(" ", "  ", "\t", ""), fc.string({ maxLength: 40 })).map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(header, (value) => {
        let extracted: string | undefined;
        try {
          extracted = extractToken({ headers: { authorization: value } });
        } catch (error) {
          expect(isTurnkeyAuthError(error) && error.code).toBe("malformed_token");
          return;
        }
        if (extracted !== undefined) {
          expect(extracted).toMatch(/^[^ \t,]+$/);
          expect(value.trim().toLowerCase().startsWith("bearer ")).toBe(true);
          expect(value.trim().endsWith(` ${extracted}`)).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

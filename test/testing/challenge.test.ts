// The emulator's challenge comparison (issue 14) strips padding with a scan, and agrees with the
// `/=+$/` replacement it stands for; that pattern is quadratic on a long run of "=" that does not
// end the string, so the reference runs only on short strings.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sameChallenge, withoutPadding } from "../../src/testing/emulator/challenge.js";

const referenceWithoutPadding = (value: string) => value.replace(/=+$/, "");
const challengeish = fc.string({ unit: fc.constantFrom("=", "A", "z", "0", "-", "_", "+", "/", "\n", "\u00a0"), maxLength: 24 });

describe("withoutPadding", () => {
  it("agrees with /=+$/ replaced by nothing", () => {
    fc.assert(fc.property(challengeish, (value) => withoutPadding(value) === referenceWithoutPadding(value)), { numRuns: 5_000 });
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 16 }), (value) => withoutPadding(value) === referenceWithoutPadding(value)));
  });

  it.each([
    ["", ""],
    ["=", ""],
    ["===", ""],
    ["abc", "abc"],
    ["abc=", "abc"],
    ["abc==", "abc"],
    ["a=b", "a=b"],
    ["a=b=", "a=b"],
    ["=a", "=a"],
    ["ab=\n", "ab=\n"],
  ])("%j → %j", (value, expected) => {
    expect(withoutPadding(value)).toBe(expected);
    expect(referenceWithoutPadding(value)).toBe(expected);
  });

  it("handles 64 KB of padding that does not end the string, and 64 KB that does", () => {
    const run = "=".repeat(65_536);
    expect(withoutPadding(`${run}A=`)).toBe(`${run}A`);
    expect(withoutPadding(`A${run}`)).toBe("A");
  });
});

describe("sameChallenge", () => {
  it("ignores padding on either side and nothing else", () => {
    expect(sameChallenge("YWJj", "YWJj")).toBe(true);
    expect(sameChallenge("YWI=", "YWI")).toBe(true);
    expect(sameChallenge("YQ", "YQ==")).toBe(true);
    expect(sameChallenge("YWI", "YWJ")).toBe(false);
    expect(sameChallenge("=YWI", "YWI")).toBe(false);
    fc.assert(
      fc.property(challengeish, challengeish, (a, b) => sameChallenge(a, b) === (referenceWithoutPadding(a) === referenceWithoutPadding(b))),
      { numRuns: 2_000 },
    );
  });
});

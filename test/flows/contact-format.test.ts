// The contact scans (issue 14) accept exactly what the regular expressions they stand for accept.
// The references run only on short strings, where their backtracking costs nothing; the scans'
// linearity is their structure (one pass, no nested loop), and test/hostile/linear-patterns.test.ts
// proves the patterns left in src/.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isE164PhoneNumber, isEmailAddress } from "../../src/flows/contact-format.js";

const REFERENCE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REFERENCE_E164 = /^\+[1-9]\d{6,14}$/;

// Every character JavaScript's \s matches, and neighbours that it does not.
const WHITESPACE = ["\t", "\n", "\v", "\f", "\r", " ", "\u00a0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"];
const NOT_WHITESPACE = ["\u0008", "\u000e", "\u001f", "\u0085", "\u180e", "\u200b", "\u200c", "\u2060", "\ud83d", "é"];

const emailish = fc.string({ unit: fc.constantFrom("a", "Z", "0", "@", ".", "-", "+", ...WHITESPACE, ...NOT_WHITESPACE), maxLength: 24 });
const phoneish = fc.string({ unit: fc.constantFrom("+", "0", "1", "5", "9", "a", " ", "-", "\u0661"), maxLength: 20 });

describe("isEmailAddress", () => {
  it("agrees with the reference pattern on short strings", () => {
    fc.assert(fc.property(emailish, (value) => isEmailAddress(value) === REFERENCE_EMAIL.test(value)), { numRuns: 5_000 });
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 16 }), (value) => isEmailAddress(value) === REFERENCE_EMAIL.test(value)), { numRuns: 2_000 });
  });

  it("agrees with the reference pattern on every UTF-16 code unit, in each part of an address", () => {
    const disagreements: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      for (const value of [`${char}@b.c`, `a${char}@b.c`, `a@${char}.c`, `a@b${char}c`, `a@b.${char}`]) {
        if (isEmailAddress(value) !== REFERENCE_EMAIL.test(value)) disagreements.push(JSON.stringify(value));
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each([
    ["ada@example.com", true],
    ["a@b.c", true],
    ["a@b.c.", true],
    ["a@.b.c", true],
    ["a@b..c", true],
    ["a.b@c.d", true],
    ["", false],
    ["@b.c", false],
    ["a@", false],
    ["a@b", false],
    ["a@.c", false],
    ["a@b.", false],
    ["a@.", false],
    ["a.b@c", false],
    ["a@@b.c", false],
    ["a@b@c.d", false],
    ["a b@c.d", false],
    ["a@b.c ", false],
    ["a@b.c\u2028", false],
    ["\ufeffa@b.c", false],
  ])("%j → %s", (value, expected) => {
    expect(isEmailAddress(value)).toBe(expected);
    expect(REFERENCE_EMAIL.test(value)).toBe(expected);
  });

  it("refuses the hostile shapes of issue 14 (no timing asserted: linearity is structural)", () => {
    expect(isEmailAddress(`a@${".".repeat(16_380)}@`)).toBe(false);
    expect(isEmailAddress(`a@${"b.".repeat(8_000)}@`)).toBe(false);
    expect(isEmailAddress(`a@${"b.".repeat(8_000)}c`)).toBe(true);
    expect(isEmailAddress(`${"a".repeat(65_536)} @b.c`)).toBe(false);
  });
});

describe("isE164PhoneNumber", () => {
  it("agrees with the reference pattern on short strings", () => {
    fc.assert(fc.property(phoneish, (value) => isE164PhoneNumber(value) === REFERENCE_E164.test(value)), { numRuns: 5_000 });
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), minLength: 5, maxLength: 17 }), (digits) => {
        const value = `+${digits}`;
        return isE164PhoneNumber(value) === REFERENCE_E164.test(value);
      }),
    );
  });

  it("agrees with the reference pattern on every UTF-16 code unit, in each position", () => {
    const disagreements: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      for (const value of [`${char}14155550100`, `+${char}4155550100`, `+1415555${char}100`, `+1415555010${char}`]) {
        if (isE164PhoneNumber(value) !== REFERENCE_E164.test(value)) disagreements.push(JSON.stringify(value));
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each([
    ["+14155550100", true],
    ["+1234567", true],
    ["+123456789012345", true],
    ["+123456", false],
    ["+1234567890123456", false],
    ["+01234567", false],
    ["14155550100", false],
    ["+1 4155550100", false],
    ["+1415555010a", false],
    ["+1415555010\u0661", false],
    ["", false],
    ["+", false],
  ])("%j → %s", (value, expected) => {
    expect(isE164PhoneNumber(value)).toBe(expected);
    expect(REFERENCE_E164.test(value)).toBe(expected);
  });

  it("refuses long input by its length", () => {
    expect(isE164PhoneNumber(`+1${"5".repeat(65_536)}`)).toBe(false);
  });
});

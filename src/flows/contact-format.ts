// Contact formats checked by plain scans, each linear in the length of its input. The contact is
// request data on unauthenticated routes (`otp-init`, `signup`), so its check must not backtrack:
// a regular expression of this shape (`^[^\s@]+@[^\s@]+\.[^\s@]+$`) takes time quadratic in the
// length of a string such as `a@` + dots + `@`. test/hostile/linear-patterns.test.ts checks every
// pattern that remains in src/.

const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;

// JavaScript's `\s`: WhiteSpace and LineTerminator of ECMA-262 (§12.2, §12.3), Unicode Zs included.
function isWhitespace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Whether `value` has an email address's shape: one `@` after some text, then a domain with a `.` inside it, no whitespace. */
export function isEmailAddress(value: string): boolean {
  const at = value.indexOf("@");
  if (at < 1 || value.indexOf("@", at + 1) !== -1) return false;
  // A dot with at least one character of the domain before it and one after it.
  const dot = value.indexOf(".", at + 2);
  if (dot === -1 || dot === value.length - 1) return false;
  for (let index = 0; index < value.length; index++) {
    if (isWhitespace(value.charCodeAt(index))) return false;
  }
  return true;
}

/** Whether `value` is an E.164 phone number: `+`, then 7 to 15 digits, the first not 0 (ITU-T E.164). */
export function isE164PhoneNumber(value: string): boolean {
  if (value.length < 8 || value.length > 16 || value.charCodeAt(0) !== PLUS || value.charCodeAt(1) === ZERO) return false;
  for (let index = 1; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < ZERO || code > NINE) return false;
  }
  return true;
}

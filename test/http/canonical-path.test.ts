import { describe, expect, it } from "vitest";
import { canonicalPolicyPath, type PathMatching } from "../../src/adapter.js";
import { isTurnkeyAuthError } from "../../src/index.js";

const EXACT: PathMatching = { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false };
const LOOSE: PathMatching = { caseSensitive: false, strict: false, mergeSlashes: true, semicolonEndsPath: true };

function refusal(target: string, matching: PathMatching = EXACT): string {
  try {
    return `accepted as ${JSON.stringify(canonicalPolicyPath(target, matching))}`;
  } catch (error) {
    if (!isTurnkeyAuthError(error)) throw error;
    expect(error.status).toBe(400);
    return error.code;
  }
}

describe("canonicalPolicyPath", () => {
  it.each([
    ["/", "/"],
    ["/orgs/org-1/whoami", "/orgs/org-1/whoami"],
    ["/orgs/org-%32/whoami?x=%2e%2e/..#y", "/orgs/org-2/whoami"],
    ["/ad%6Din/users", "/admin/users"],
    ["/caf%C3%A9/caf%c3%a9", "/café/café"],
    ["/a%20b/a:b@c/a%3Ab%40c", "/a b/a:b@c/a:b@c"],
    ["/a;b", "/a;b"],
    ["/a%3Bb", "/a;b"],
    ["/.../..a/.b/a.", "/.../..a/.b/a."],
    ["/a%2Eb", "/a.b"],
    ["/Admin/", "/Admin/"],
    ["/a%EF%BB%BFb", "/a\ufeffb"], // a BOM is a character like any other, not dropped
    ["/caf\u00e9/\u{1f600}", "/caf\u00e9/\u{1f600}"], // raw non-ASCII (never from Node or fetch) is itself
    ["http://x/a?b", "/a"],
    ["HTTPS://Example.COM:8443/a", "/a"],
    ["http://x", "/"],
    ["http://x?y", "/"],
    ["http://x:", "/"],
    ["http://127.0.0.1:65535/a", "/a"],
    ["http://[::1]:3000/a", "/a"],
    ["http://[::ffff:10.0.0.1]/a", "/a"],
    ["http://x//a", "error"],
  ])("%s → %s (exact matching)", (target, expected) => {
    if (expected === "error") expect(refusal(target)).toBe("invalid_request");
    else expect(canonicalPolicyPath(target, EXACT)).toBe(expected);
  });

  it("follows the router: case, a trailing slash, repeated slashes, `;`", () => {
    expect(canonicalPolicyPath("/ORGS/Org-%32/WhoAmI/", { ...EXACT, caseSensitive: false })).toBe("/orgs/org-2/whoami/");
    expect(canonicalPolicyPath("/ORGS/Org-%32/WhoAmI/", { ...EXACT, strict: false })).toBe("/ORGS/Org-2/WhoAmI");
    expect(canonicalPolicyPath("/", { ...EXACT, strict: false })).toBe("/");
    expect(canonicalPolicyPath("//admin///x//", LOOSE)).toBe("/admin/x");
    expect(canonicalPolicyPath("///", LOOSE)).toBe("/");
    expect(canonicalPolicyPath("/admin;jsessionid=1/x?y", LOOSE)).toBe("/admin");
    expect(canonicalPolicyPath("/\u212Aey/\u00C9", { ...EXACT, caseSensitive: false })).toBe("/key/\u00e9"); // toLowerCase, as find-my-way
  });

  it.each([
    // dot segments, raw or encoded, anywhere
    "/admin/..", "/admin/../x", "/./admin", "/admin/.", "/admin/%2e%2e", "/admin/%2E%2e/x", "/admin/.%2e", "/admin/%2e", "http://x/admin/..", "http://x/admin/%2e%2e?y",
    // encoded separators and characters that a second decoding would turn into separators
    "/orgs/org-2%2fwhoami", "/a%2Fb", "/a%5cb", "/a%5C", "/a%25", "/a%252e%252e", "/a%3Fb", "/a%3f", "/a%23b",
    // raw backslash, fragment, controls, space
    "/a\\b", "/a#b", "/a\u0000", "/a\tb", "/a\nb", "/a\u007f", "/a\u0085",
    // encoded controls
    "/admin%00", "/a%0a", "/a%0D", "/a%1f", "/a%7F", "/a%C2%85",
    // invalid escapes and invalid UTF-8 (lone bytes, overlong forms, surrogates, beyond U+10FFFF)
    "/a%", "/a%2", "/a%zz", "/a%2g", "/a%%30", "/a%C3", "/a%C3x", "/a%C0%AE", "/a%E0%80%AF", "/a%ED%A0%80", "/a%F4%90%80%80", "/a%FF",
    // lone surrogates in raw text
    "/a\ud800", "/a\udc00b",
    // empty segments where the router does not merge slashes
    "//admin", "/admin//x", "/admin//", "//",
    // not a path, or an authority that does not parse
    "", "*", "admin", "x:80", "foo://x/admin", "http:/admin", "http:admin", "http://", "http:///admin", "http://u@x/admin", "http://u:p@x/a",
    "http://x:99999/orgs/org-2/whoami", "http://x:123456/a", "http://x:8o/a", "http://x:-1/a", "http://x\\@y/a", "http://[::1/a", "http://[]/a", "http://[::1]x/a",
    "http://x#/admin", "http://x/a#b", "http://ex ample/a", "http://x%41/a",
  ])("refuses %j with invalid_request (400)", (target) => {
    expect(refusal(target)).toBe("invalid_request");
  });

  it("refuses an encoded `;` only where `;` ends the path, and `//` only where slashes are not merged", () => {
    expect(canonicalPolicyPath("/a%3Bb", EXACT)).toBe("/a;b");
    expect(refusal("/a%3Bb", LOOSE)).toBe("invalid_request");
    expect(canonicalPolicyPath("/a//b", LOOSE)).toBe("/a/b");
    expect(refusal("/a//b", EXACT)).toBe("invalid_request");
  });

  it("says why in a fixed sentence that never repeats the target", () => {
    const secret = "/admin/..?token=eyJhbGciOiJFUzI1NiJ9.c2VjcmV0.c2ln";
    try {
      canonicalPolicyPath(secret, EXACT);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe("The request path has a dot segment");
      expect(JSON.stringify(error)).not.toContain("eyJ");
    }
  });
});

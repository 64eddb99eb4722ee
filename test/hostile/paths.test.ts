// Hostile request targets against canonicalPolicyPath (issue 14): whatever the target, it answers a
// canonical path or refuses with invalid_request, never anything else; a canonical path has no
// spelling left that another layer could read differently, and is its own canonical path; the
// decoding agrees with the WHATWG URL parser; the time is linear in the target's length.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalPolicyPath, type PathMatching } from "../../src/adapter.js";
import { isTurnkeyAuthError } from "../../src/index.js";

/** Runs per property; raise it (HOSTILE_RUNS=20000) for a longer hunt. */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 2000);

const piece = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "/", "/", "/", "//", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "\\", "%00", "%0a", "%1f", "%7f", "%", "%2", "%zz", "%25",
      "%3f", "%3F", "%23", "#", "?", ";", "%3b", "%3B", ":", "@", "%3A", "%40", "%20", " ", "\t", "%41", "%61", "%7E", "~", "-", "_",
      "%C3%A9", "%c3%a9", "%C3", "%C0%AE", "%E0%80%AF", "%ED%A0%80", "%F0%9F%98%80", "%F4%90%80%80", "%EF%BB%BF", "%C2%85", "%E2%80%A8",
      "a", "A", "admin", "ADMIN", "Admin", "orgs", "org-2", "\u00e9", "\u00c9", "\u0130", "\u212a", "\u017f", "\u00df", "\ud800", "\udc00", "\u{1f600}", "\u0085",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
);

const prefix = fc.constantFrom(
  "", "", "", "/", "http://x", "HTTP://X:80", "https://example.com:8443", "http://[::1]:3000", "http://127.0.0.1", "http://x:99999", "http://x:",
  "http://u@x", "foo://x", "http:/", "*",
);

const target = fc.tuple(prefix, fc.array(piece, { maxLength: 14 })).map(([start, pieces]) => start + pieces.join(""));

const matching: fc.Arbitrary<PathMatching> = fc.record({
  caseSensitive: fc.boolean(),
  strict: fc.boolean(),
  mergeSlashes: fc.boolean(),
  semicolonEndsPath: fc.boolean(),
});

type Outcome = { path: string } | { refused: string };

function outcome(input: string, semantics: PathMatching): Outcome {
  try {
    return { path: canonicalPolicyPath(input, semantics) };
  } catch (error) {
    if (!isTurnkeyAuthError(error)) throw new Error(`threw something else than a TurnkeyAuthError for ${JSON.stringify(input)}`, { cause: error });
    expect(error.code).toBe("invalid_request");
    expect(error.status).toBe(400);
    return { refused: error.message };
  }
}

// What no canonical path may contain: a character another layer reads as structure or decodes again.
const NOT_IN_A_CANONICAL_PATH = /[%?#\\\u0000-\u001f\u007f-\u009f]/;

describe("canonicalPolicyPath on hostile targets", () => {
  it("property: a canonical path or invalid_request, never anything else; canonical paths are clean and their own canonical path", () => {
    fc.assert(
      fc.property(target, matching, (input, semantics) => {
        const result = outcome(input, semantics);
        if (!("path" in result)) {
          if (input.length > 24) expect(result.refused).not.toContain(input);
          return;
        }
        const { path } = result;
        expect(path.startsWith("/"), path).toBe(true);
        expect(NOT_IN_A_CANONICAL_PATH.test(path), path).toBe(false);
        expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(path), `lone surrogate in ${path}`).toBe(false);
        const segments = path.split("/").slice(1);
        expect(segments.some((segment) => segment === "." || segment === ".."), path).toBe(false);
        expect(path.includes("//"), path).toBe(false);
        if (!semantics.caseSensitive) expect(path).toBe(path.toLowerCase());
        if (!semantics.strict) expect(path === "/" || !path.endsWith("/"), path).toBe(true);
        if (semantics.semicolonEndsPath) expect(path.includes(";"), path).toBe(false);
        expect(canonicalPolicyPath(path, semantics)).toBe(path);
      }),
      { numRuns: RUNS },
    );
  });

  it("property: the router settings only fold case and drop a trailing slash on top of the exact path", () => {
    const exact: PathMatching = { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false };
    fc.assert(
      fc.property(target, (input) => {
        const strictPath = outcome(input, exact);
        const folded = outcome(input, { ...exact, caseSensitive: false });
        const loose = outcome(input, { ...exact, strict: false });
        expect("path" in folded).toBe("path" in strictPath);
        expect("path" in loose).toBe("path" in strictPath);
        if (!("path" in strictPath) || !("path" in folded) || !("path" in loose)) return;
        expect(folded.path).toBe(strictPath.path.toLowerCase());
        expect(loose.path).toBe(strictPath.path.length > 1 ? strictPath.path.replace(/\/$/, "") : strictPath.path);
      }),
      { numRuns: RUNS },
    );
  });

  it("property: an accepted target decodes as the WHATWG URL parser reads its path", () => {
    const exact: PathMatching = { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false };
    fc.assert(
      fc.property(target, (input) => {
        const result = outcome(input, exact);
        // A request target never holds a raw space (it ends the target); the parser trims them.
        if (!("path" in result) || input.includes(" ")) return;
        // The parser resolves no dot segment here (there is none), and percent-encodes what it must.
        expect(decodeURIComponent(new URL(input, "http://base.invalid").pathname)).toBe(result.path);
      }),
      { numRuns: RUNS },
    );
  });

  it("runs in linear time: a megabyte of any pathological pattern is judged at once", () => {
    const size = 1 << 20;
    const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    const patterns = [
      `/${fill("a")}`, `/${fill("a/")}`, `/${fill("%41")}`, `/${fill("%C3%A9")}`, `/${fill("a%C3%A9/")}`, `/${fill("%2e")}`, `/${fill(".")}`,
      `/${fill("/")}`, `/${fill("a/")}%`, `/${fill("%C3%A9")}%C3`, `/${fill("a;")}`, `http://${fill("a")}/`, `http://[${fill(":")}]/`, `/${fill("A")}`,
    ];
    const loose: PathMatching = { caseSensitive: false, strict: false, mergeSlashes: true, semicolonEndsPath: true };
    const started = performance.now();
    for (const input of patterns) {
      outcome(input, loose);
      outcome(input, { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false });
    }
    // Linear work on 28 MB of input takes well under a second on a quiet machine; a quadratic pass,
    // hours. The bound is loose so that a machine shared with other work never fails it.
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

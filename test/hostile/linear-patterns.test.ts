// Every regular expression in src/ runs in time linear in its input (issue 14): a backtracking
// pattern on request data lets one unauthenticated request block the event loop. The TypeScript
// compiler finds each regular-expression literal and each RegExp built from a literal string in
// every .ts file under src/, and recheck's automaton checker (a proof from the pattern's automaton,
// not fuzzing) must call each one safe. A RegExp built from anything else cannot be checked here,
// so it is an offender too. recheck runs on its pure JavaScript backend: no native binary, no JVM.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { check, type Parameters } from "recheck";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SRC = join(ROOT, "src");
// A proof, with a bound: a pattern whose automaton recheck cannot analyse in time is "unknown",
// which fails like "vulnerable".
const RECHECK: Parameters = { checker: "automaton", timeout: 5_000 };
// String methods that compile a string argument into a regular expression.
const COMPILING_METHODS = new Set(["match", "matchAll", "search"]);

interface FoundPattern {
  /** `file:line`, relative to the repository. */
  readonly at: string;
  readonly source: string;
  readonly flags: string;
}

interface Extraction {
  readonly patterns: FoundPattern[];
  /** RegExps built from something other than a literal: `file:line` and the expression. */
  readonly unchecked: string[];
}

function tsFilesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return tsFilesUnder(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function isRegExpConstructor(node: ts.Node): node is ts.NewExpression | ts.CallExpression {
  return (ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === "RegExp";
}

/** The regular expressions written in one source file, found on its syntax tree. */
function patternsIn(fileName: string, text: string): Extraction {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const patterns: FoundPattern[] = [];
  const unchecked: string[] = [];
  const at = (node: ts.Node) => `${fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(file);
      const end = literal.lastIndexOf("/");
      patterns.push({ at: at(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if (isRegExpConstructor(node)) {
      const [pattern, flags] = node.arguments ?? [];
      const source = literalText(pattern);
      const flagText = flags === undefined ? "" : literalText(flags);
      if (source !== undefined && flagText !== undefined) patterns.push({ at: at(node), source, flags: flagText });
      // `RegExp(/literal/)` is checked as the literal it copies (flags must then be literal too).
      else if (!(pattern !== undefined && ts.isRegularExpressionLiteral(pattern) && (flags === undefined || flagText !== undefined))) {
        unchecked.push(`${at(node)} ${node.getText(file)}`);
      }
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && COMPILING_METHODS.has(node.expression.name.text)) {
      const source = literalText(node.arguments[0]);
      if (source !== undefined) patterns.push({ at: at(node), source, flags: "" });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { patterns, unchecked };
}

let inSrc: Extraction | undefined;

/** The regular expressions of every .ts file under src/, read once per run. */
function patternsInSrc(): Extraction {
  if (inSrc === undefined) {
    const found = tsFilesUnder(SRC).map((path) => patternsIn(relative(ROOT, path), readFileSync(path, "utf8")));
    inSrc = { patterns: found.flatMap((one) => one.patterns), unchecked: found.flatMap((one) => one.unchecked) };
  }
  return inSrc;
}

async function verdictOf(pattern: { source: string; flags: string }): Promise<string> {
  const diagnostics = await check(pattern.source, pattern.flags, RECHECK);
  if (diagnostics.status === "vulnerable") return `vulnerable (${diagnostics.complexity.summary}, e.g. ${diagnostics.attack.pattern})`;
  if (diagnostics.status === "unknown") return `unknown (${diagnostics.error.kind})`;
  return diagnostics.status;
}

beforeAll(() => {
  vi.stubEnv("RECHECK_BACKEND", "pure");
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe("the pattern finder", () => {
  it("finds literals, RegExp built from literals and compiling string methods; reports RegExp built from anything else", () => {
    const source = [
      "const a = /^a+$/i;",
      'const b = new RegExp("(x+)+y", "g");',
      "const c = RegExp(`z*`);",
      'const d = text.match("w+");',
      "const e = new RegExp(input);",
      'const f = new RegExp("v", flags);',
      'const g = "not a pattern".replace("x", "y");',
    ].join("\n");
    const { patterns, unchecked } = patternsIn("example.ts", source);
    expect(patterns).toEqual([
      { at: "example.ts:1", source: "^a+$", flags: "i" },
      { at: "example.ts:2", source: "(x+)+y", flags: "g" },
      { at: "example.ts:3", source: "z*", flags: "" },
      { at: "example.ts:4", source: "w+", flags: "" },
    ]);
    expect(unchecked).toEqual(["example.ts:5 new RegExp(input)", 'example.ts:6 new RegExp("v", flags)']);
  });

  it("finds the patterns of src/, core and emulator alike", () => {
    const { patterns } = patternsInSrc();
    expect(patterns.some((pattern) => pattern.at.startsWith("src/crypto/base64url.ts:") && pattern.source === "^[A-Za-z0-9_-]*$")).toBe(true);
    expect(patterns.some((pattern) => pattern.at.startsWith("src/testing/emulator/keys.ts:"))).toBe(true);
  });
});

describe("recheck", () => {
  it("flags the quadratic email pattern and a /=+$/ padding strip as vulnerable, and passes a linear one", async () => {
    expect(await verdictOf({ source: String.raw`^[^\s@]+@[^\s@]+\.[^\s@]+$`, flags: "" })).toMatch(/^vulnerable/);
    expect(await verdictOf({ source: "=+$", flags: "" })).toMatch(/^vulnerable/);
    expect(await verdictOf({ source: "^[A-Za-z0-9_-]*$", flags: "" })).toBe("safe");
  });
});

describe("every regular expression in src/", () => {
  it("is built from a literal, so that it can be checked", () => {
    const { unchecked } = patternsInSrc();
    expect(unchecked, `RegExp built at run time (use a literal, or a scan):\n${unchecked.join("\n")}`).toEqual([]);
  });

  it("runs in time linear in its input (recheck: safe)", async () => {
    const offenders: string[] = [];
    for (const pattern of patternsInSrc().patterns) {
      const verdict = await verdictOf(pattern);
      if (verdict !== "safe") offenders.push(`${pattern.at} /${pattern.source}/${pattern.flags}: ${verdict}`);
    }
    expect(offenders, `super-linear or unproven patterns:\n${offenders.join("\n")}`).toEqual([]);
  });
});

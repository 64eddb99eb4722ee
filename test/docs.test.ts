// Code shown in the README and in docs/ is code that is compiled and, mostly, run. Every page is
// found here by itself (README.md and every docs/**/*.md, so a new page is checked without being
// listed), and every code block in a language the type check reads follows a marker naming the
// file it is taken from:
//
//   <!-- shown from examples/express/app.ts -->
//   ```ts
//
// The block must appear in that file line for line (indentation aside, with imports of src/ written
// as the package's), and the file must be one `npm run typecheck` compiles (tsconfig.json "include"),
// or, for a JavaScript block, a .js/.mjs/.cjs file under test/, examples/ or scripts/ (run by the
// tests). The runnable examples are shown whole, exactly.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url);
const MARKER = /^<!-- shown from ([\w./[\]-]+) -->$/;
/** Fence languages that are TypeScript or JavaScript: each such block needs a marker. */
const CODE_LANGUAGES = new Set(["ts", "typescript", "tsx", "mts", "cts", "js", "javascript", "jsx", "mjs", "cjs"]);
/** The examples shown whole: each runs in test/examples.test.ts. */
const EXAMPLES = ["express", "fastify", "koa", "hono", "node-http"].flatMap((name) => [`examples/${name}/app.ts`, `examples/${name}/server.ts`]);

function read(path: string): string {
  return readFileSync(new URL(path, ROOT), "utf8");
}

function markdownUnder(directory: string): string[] {
  return readdirSync(new URL(`${directory}/`, ROOT), { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

const PAGES = ["README.md", ...markdownUnder("docs")].sort();

/** Where `npm run typecheck` looks (tsconfig.json "include"). */
const COMPILED: readonly string[] = (JSON.parse(read("tsconfig.json")) as { include: string[] }).include;

/** JavaScript the tests run (a fixture app, the package check), for blocks showing plain JS or CommonJS. */
const RUN_JS = ["test/", "examples/", "scripts/"];

function isCompiledOrRun(path: string): boolean {
  if (/\.(?:js|mjs|cjs)$/.test(path)) return RUN_JS.some((folder) => path.startsWith(folder));
  return /\.(?:ts|tsx|mts|cts)$/.test(path) && !path.endsWith(".d.ts") && COMPILED.some((entry) => path === entry || path.startsWith(`${entry}/`));
}

interface Block {
  /** The file named by the marker before the block, if any. */
  readonly from: string | undefined;
  readonly language: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** The fenced code blocks of a page, with the marker line just before each (a line-based reading). */
function blocksOf(page: string): Block[] {
  const lines = page.split("\n");
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const opening = /^\s*(`{3,})\s*([\w-]*)/.exec(lines[index] as string);
    if (opening === null) continue;
    const fence = opening[1] as string;
    const end = lines.findIndex((line, at) => at > index && line.trim() === fence);
    const closing = end === -1 ? lines.length : end;
    const marker = MARKER.exec((lines[index - 1] ?? "").trim());
    blocks.push({ from: marker?.[1], language: (opening[2] as string).toLowerCase(), text: lines.slice(index + 1, closing).join("\n"), line: index + 1 });
    index = closing;
  }
  return blocks;
}

/** A file's text as the docs write it: imports of src/ as the package's subpaths. */
function asPackage(source: string): string {
  return source.replace(/"(?:\.\.\/)+src\/([\w/-]+)\.js"/g, (whole, path: string) => {
    if (path === "index") return '"turnkey-session-auth"';
    const subpath = /^adapters\/([\w-]+)(?:\/index)?$/.exec(path)?.[1] ?? /^([\w-]+)(?:\/index)?$/.exec(path)?.[1];
    return subpath === undefined ? whole : `"turnkey-session-auth/${subpath}"`;
  });
}

function trimmedLines(text: string): string[] {
  return text.split("\n").map((line) => line.trim());
}

function containsRun(lines: string[], run: string[]): boolean {
  return lines.some((_, start) => run.every((line, offset) => lines[start + offset] === line));
}

describe.each(PAGES)("%s", (page) => {
  const text = read(page);
  const blocks = blocksOf(text);

  it("marks every TypeScript or JavaScript block with the compiled file it is taken from", () => {
    const unmarked = blocks.filter((block) => CODE_LANGUAGES.has(block.language) && block.from === undefined);
    expect(unmarked.map((block) => `${page}:${block.line}`), "a code block without <!-- shown from path/to/file.ts --> just before it").toEqual([]);
    const markers = text.split("\n").filter((line) => MARKER.test(line.trim())).length;
    expect(blocks.filter((block) => block.from !== undefined).length, "a marker not followed by a code block").toBe(markers);
  });

  it("shows only code that is in the repository as shown, in files the type check compiles or the tests run", () => {
    for (const block of blocks.filter((candidate) => candidate.from !== undefined)) {
      const from = block.from as string;
      const where = `${page}:${block.line} (shown from ${from})`;
      expect(existsSync(new URL(from, ROOT)), `${where}: no such file`).toBe(true);
      expect(isCompiledOrRun(from), `${where}: not a file npm run typecheck compiles (tsconfig.json "include"), nor JavaScript under ${RUN_JS.join(", ")}`).toBe(true);
      const shown = trimmedLines(block.text.trimEnd());
      expect(containsRun(trimmedLines(asPackage(read(from))), shown), `${where}: the block is not in the file as shown:\n${shown.join("\n")}`).toBe(true);
    }
  });
});

describe("the runnable examples", () => {
  const shown = PAGES.flatMap((page) => blocksOf(read(page)));

  it.each(EXAMPLES)("%s is shown whole, exactly, on some page", (path) => {
    const blocks = shown.filter((block) => block.from === path).map((block) => `${block.text}\n`);
    expect(blocks, `no page shows ${path} whole (<!-- shown from ${path} -->)`).toContain(asPackage(read(path)));
  });
});

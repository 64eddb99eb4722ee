// Code shown in docs/ is code that runs: each ```ts block follows a marker naming the file it is
// taken from, and appears there line for line (indentation aside, with imports of src/ written as
// the package's), so a change to the code that the page does not follow fails here.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url);
const PAGES = ["docs/emulator.md", "docs/dpop.md"];
const MARKER = /<!-- shown from ([\w./-]+) -->\n```ts\n/g;

/** A file's text as the docs write it: imports of src/ as the package's, each line trimmed. */
function asShown(source: string): string[] {
  return source
    .replace(/"(?:\.\.\/)+src\/testing\/index\.js"/g, '"turnkey-session-auth/testing"')
    .replace(/"(?:\.\.\/)+src\/flows\/index\.js"/g, '"turnkey-session-auth/flows"')
    .replace(/"(?:\.\.\/)+src\/client\/index\.js"/g, '"turnkey-session-auth/client"')
    .replace(/"(?:\.\.\/)+src\/adapters\/(\w+)\.js"/g, '"turnkey-session-auth/$1"')
    .replace(/"(?:\.\.\/)+src\/index\.js"/g, '"turnkey-session-auth"')
    .split("\n")
    .map((line) => line.trim());
}

function containsRun(lines: string[], run: string[]): boolean {
  return lines.some((_, start) => run.every((line, offset) => lines[start + offset] === line));
}

describe.each(PAGES)("%s", (page) => {
  it("shows only code that is in the repository, each block naming its file", async () => {
    const text = await readFile(new URL(page, ROOT), "utf8");
    const blocks = [...text.matchAll(MARKER)];
    expect(blocks.length).toBeGreaterThan(0);
    expect(text.split("```ts").length - 1, "every ```ts block follows a <!-- shown from … --> marker").toBe(blocks.length);
    for (const block of blocks) {
      const start = (block.index as number) + block[0].length;
      const shown = asShown(text.slice(start, text.indexOf("```", start)).trimEnd());
      const source = asShown(await readFile(new URL(block[1] as string, ROOT), "utf8"));
      expect(containsRun(source, shown), `${page}: a block is not in ${block[1]} as shown:\n${shown.join("\n")}`).toBe(true);
    }
  });
});

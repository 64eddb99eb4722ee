// docs/errors.md lists every error code with its status and challenge, and stays complete: a code
// added to either union without its row on the page fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TurnkeyFlowError, type TurnkeyFlowErrorCode } from "../../src/flows/index.js";
import { TurnkeyAuthError, type TurnkeyAuthErrorCode } from "../../src/index.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

/** The string literals of an exported union type, read from its source. */
function unionMembers(path: string, name: string): string[] {
  const source = read(path);
  const start = source.indexOf(`export type ${name} =`);
  const union = source.slice(start, source.indexOf(";", start));
  return [...union.matchAll(/\|\s*"([a-z_]+)"/g)].map((match) => match[1] as string);
}

const page = read("docs/errors.md");
const [refusals, flows] = page.split("## Login flow errors") as [string, string];

describe("docs/errors.md", () => {
  it.each(unionMembers("src/errors.ts", "TurnkeyAuthErrorCode"))("has %s with its status and challenge", (code) => {
    const error = new TurnkeyAuthError(code as TurnkeyAuthErrorCode, "m");
    const row = refusals.split("\n").find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row, `no row for ${code}`).toBeDefined();
    expect(row).toContain(`| ${error.status} |`);
    const kind = /error="(\w+)"/.exec(error.wwwAuthenticate ?? "")?.[1];
    if (kind !== undefined) expect(row).toContain(`error="${kind}"`);
    else expect(row).not.toContain('error="');
  });

  it.each(unionMembers("src/flows/errors.ts", "TurnkeyFlowErrorCode"))("has the login-flow error %s with its status", (code) => {
    const row = flows.split("\n").find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row, `no row for ${code}`).toBeDefined();
    expect(row).toContain(`| ${new TurnkeyFlowError(code as TurnkeyFlowErrorCode, "m").status} |`);
  });
});

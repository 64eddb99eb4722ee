import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { webCrypto } from "../../src/native-crypto.js";
import { parseP256PublicKey } from "../../src/p256.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const sourceRoot = new URL("../../src/", import.meta.url).pathname;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(directory, entry.name)) : entry.name.endsWith(".ts") ? [join(directory, entry.name)] : [],
  );
}

const coreFiles = sourceFiles(sourceRoot).filter((file) => !/^(adapters|testing)\//.test(relative(sourceRoot, file)));

describe("the core stays runtime-agnostic", () => {
  it.each(coreFiles.map((file) => [relative(sourceRoot, file), file]))("%s imports no framework and no Node built-in at runtime", (_name, file) => {
    const runtimeImports = [...readFileSync(file, "utf8").matchAll(/^import (?!type )[^;]*from "([^"]+)"/gm)].map((match) => match[1]);
    for (const specifier of runtimeImports) {
      expect(specifier).not.toMatch(/^(node:|express|fastify|koa|hono|@turnkey\/sdk-server)/);
    }
  });

  it("never logs (outside TSDoc examples and the command-line tool, whose output is its job)", () => {
    const cli = join(sourceRoot, "testing", "cli.ts");
    for (const file of sourceFiles(sourceRoot).filter((path) => path !== cli)) {
      const code = readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => !/^\s*(\*|\/\/)/.test(line));
      expect(code.join("\n"), file).not.toMatch(/console\.(log|info|debug|warn|error)\(/);
    }
  });

  it("the WebCrypto path (Bun, Deno, Workers) verifies Turnkey's scheme like the node:crypto path", async () => {
    const notarizer = createTestNotarizer();
    const token = await notarizer.sign({ organization_id: "org-1" });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const backend = webCrypto();
    const check = backend.importP256Key(parseP256PublicKey(notarizer.publicKey)!);
    const digest = await backend.sha256Ascii(`${header}.${payload}`);
    const raw = new Uint8Array(Buffer.from(signature, "base64url"));
    expect(await check(digest, raw)).toBe(true);
    raw[10] = raw[10]! ^ 1;
    expect(await check(digest, raw)).toBe(false);
  });
});

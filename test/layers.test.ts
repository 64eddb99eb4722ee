// The layers of src/, read top-down: adapters → http → dpop, policies → jwt → store, crypto, telemetry, over the shared
// errors.ts, promises.ts and request.ts; each imports only below itself, and the core imports no
// framework and no Node built-in at run time.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const sourceRoot = new URL("../src/", import.meta.url).pathname;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(directory, entry.name)) : entry.name.endsWith(".ts") ? [join(directory, entry.name)] : [],
  );
}

const files = sourceFiles(sourceRoot).map((file) => ({ file, name: relative(sourceRoot, file), text: readFileSync(file, "utf8") }));

/** The folder (layer) of a file under src/; files at the top are their own. */
const layerOf = (name: string) => (name.includes("/") ? name.slice(0, name.indexOf("/")) : name);

/** What each layer may import, besides itself. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  "crypto": [],
  "promises.ts": [],
  "errors.ts": [],
  "request.ts": [],
  "store": [],
  "telemetry": [],
  "jwt": ["store", "crypto", "telemetry", "errors.ts", "promises.ts"],
  "dpop": ["jwt", "store", "crypto", "errors.ts"],
  "policies": ["jwt", "errors.ts", "promises.ts", "request.ts"],
  "http": ["dpop", "policies", "jwt", "telemetry", "errors.ts", "promises.ts", "request.ts"],
  "webhooks": ["store"],
  "adapters": ["http", "policies", "jwt", "webhooks", "errors.ts", "promises.ts"],
  "flows": ["policies", "jwt", "store", "errors.ts", "promises.ts"],
  "redis": ["store"],
  "testing": ["flows", "jwt", "crypto"],
  "index.ts": ["http", "dpop", "policies", "jwt", "store", "telemetry", "errors.ts", "request.ts"],
  "adapter.ts": ["http", "dpop", "policies", "request.ts"],
  "webhooks.ts": ["webhooks", "adapters"],
  // The browser half of DPoP (turnkey-session-auth/client): WebCrypto and encodings only.
  "client": ["crypto"],
};

function importsOf(text: string): { specifier: string; typeOnly: boolean }[] {
  return [...text.matchAll(/^(import|export) (type )?[^;]*?from "([^"]+)"/gm)].map((match) => ({ specifier: match[3] as string, typeOnly: match[2] !== undefined }));
}

describe("the layers of src/", () => {
  it.each(files.map(({ name, file, text }) => [name, file, text]))("%s imports only the layers below it", (name, file, text) => {
    const allowed = MAY_IMPORT[layerOf(name)];
    expect(allowed, `no rule for ${layerOf(name)}`).toBeDefined();
    for (const { specifier, typeOnly } of importsOf(text)) {
      if (!specifier.startsWith(".")) {
        // The core stays runtime-agnostic: no framework or Node built-in at run time outside adapters and testing.
        if (!["adapters", "testing"].includes(layerOf(name)) && !typeOnly) expect(specifier).not.toMatch(/^(node:|express|fastify|koa|hono|@nestjs\/|reflect-metadata|rxjs|@turnkey\/sdk-server)/);
        continue;
      }
      const target = layerOf(relative(sourceRoot, resolve(dirname(file), specifier)).replace(/\.js$/, ".ts"));
      if (target === layerOf(name)) continue;
      expect(allowed, `${name} imports ${specifier}`).toContain(target);
      // Adapters import the modules they use, never an entry point.
      expect(target).not.toMatch(/^(index|adapter|webhooks)\.ts$/);
    }
  });

  it("the webhook helpers import their frameworks as types only (turnkey-session-auth/webhooks loads without any)", () => {
    for (const { name, text } of files.filter(({ name }) => name === "webhooks.ts" || name.startsWith("adapters/webhooks/"))) {
      for (const { specifier, typeOnly } of importsOf(text)) if (!specifier.startsWith(".")) expect(typeOnly, `${name} imports ${specifier}`).toBe(true);
    }
  });

  it("imports @turnkey/crypto only where its functions are used (flows, testing), so the core and adapters install and bundle without it", () => {
    for (const { name, text } of files) {
      const importsCrypto = importsOf(text).some(({ specifier, typeOnly }) => specifier === "@turnkey/crypto" && !typeOnly);
      if (!["flows", "testing"].includes(layerOf(name))) expect(importsCrypto, name).toBe(false);
    }
  });

  it("never logs (outside TSDoc examples and the command-line tool, whose output is its job)", () => {
    for (const { name, text } of files.filter(({ name }) => name !== "testing/cli.ts")) {
      const code = text.split("\n").filter((line) => !/^\s*(\*|\/\/)/.test(line));
      expect(code.join("\n"), name).not.toMatch(/console\.(log|info|debug|warn|error)\(/);
    }
  });

  it("keeps benchmark figures and engine internals out of comments (they belong in benchmarks/)", () => {
    for (const { name, text } of files) {
      expect(text, name).not.toMatch(/µs|\bbench\b|bench\/|RESULTS|hidden class/);
      // (The emulator's V7, V8 are Turnkey activity versions.)
      if (!name.startsWith("testing/emulator/")) expect(text, name).not.toMatch(/\bV8\b/);
    }
  });
});

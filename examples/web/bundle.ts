// Bundles the page's TypeScript (frontend/main.ts) and @turnkey/core for the browser, in memory.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * The page's script as one ES module. `@turnkey/core` imports wallet libraries statically, so the
 * bundle is large (about 1.6 MB minified); only the login code runs.
 *
 * @example
 * ```ts
 * const script = await bundleFrontend();
 * ```
 */
export async function bundleFrontend(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./frontend/main.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // Some wallet code reads Node's `global`; in the browser it is `globalThis`.
    define: { global: "globalThis" },
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    write: false,
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error("esbuild produced no output");
  return output.text;
}

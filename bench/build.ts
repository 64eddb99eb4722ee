// Compiles a benchmark entry point (with the library, the examples and the bench code it imports)
// into one plain-JavaScript ES module, as tsup compiles the published package, and runs it with
// plain `node`. Measured code therefore runs as users run it, not under tsx: tsx transpiles with
// esbuild's `keepNames`, which wraps every function expression in `__name(fn, "name")`, an
// Object.defineProperty per closure created, and that made closure-heavy routes (the Koa example's
// router) look several microseconds slower per request than the built code is.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

// Inside node_modules (ignored by git), so the bundle's bare imports resolve to the project's packages.
const OUT_DIR = fileURLToPath(new URL("../node_modules/.cache/turnkey-session-auth-bench/", import.meta.url));
const built = new Map<string, Promise<string>>();

/** Bundles `entry` (a path relative to bench/) once per process; resolves to the bundle's path. */
export function bundle(entry: string): Promise<string> {
  let pending = built.get(entry);
  if (pending === undefined) {
    const entryPath = fileURLToPath(new URL(entry, import.meta.url));
    const outfile = `${OUT_DIR}${entry.replace(/\W+/g, "-")}-${createHash("sha256").update(entryPath).digest("hex").slice(0, 8)}.mjs`;
    mkdirSync(OUT_DIR, { recursive: true });
    pending = build({
      entryPoints: [entryPath],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external", // frameworks, @turnkey/crypto, autocannon: as installed
      keepNames: false, // as tsup builds the package
      logLevel: "error",
    }).then(() => outfile);
    built.set(entry, pending);
  }
  return pending;
}

// What the library weighs in an edge bundle: a Hono app using the core and the Hono adapter, bundled
// and minified by esbuild from the built dist/ as a Worker bundler would (Hono itself left out, it is
// the app's). Fails above the budget, so a dependency that drags a large tree into the core is noticed.
// Run after `npm run build`: `node scripts/bundle-size.mjs`.
import { build } from "esbuild";

const BUDGET_BYTES = 60 * 1024;

const app = `
import { Hono } from "hono";
import { requireOrganization } from "./dist/index.js";
import { turnkeyAuth } from "./dist/hono.js";
const app = new Hono();
app.use("/api/*", turnkeyAuth({ trustedOrganizations: ["org"], policies: [requireOrganization("org")] }));
app.get("/api/me", (c) => c.json({ user: c.get("turnkey").userId }));
export default app;
`;

const result = await build({
  stdin: { contents: app, resolveDir: new URL("..", import.meta.url).pathname, loader: "js" },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  conditions: ["worker", "import"],
  external: ["hono", "hono/*"],
  write: false,
  logLevel: "error",
});
const bytes = result.outputFiles[0].contents.byteLength;
console.log(`core + Hono adapter, minified (esbuild, Hono external): ${(bytes / 1024).toFixed(1)} KB (budget ${BUDGET_BYTES / 1024} KB)`);
if (bytes > BUDGET_BYTES) {
  console.error("the bundle is over budget: look for a dependency the core or the Hono adapter now pulls in");
  process.exit(1);
}

// Profiles one example server under load: `node --cpu-prof` in the server child, autocannon here.
// Usage: tsx bench/profile-http.ts <express|fastify|koa|hono> <health|shape|warm|cold|cold-sync> [seconds=5]
// Writes bench/profiles/<framework>-<route>/*.cpuprofile (one file per thread) and prints the
// main thread's top functions by self time, and the inclusive time of the library's frames.
// The profiler itself slows the server (often by a third): read shares, not absolute rates.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FRAMEWORKS, SAME_SHAPE_PATH, load, rotating, startServer, type Framework } from "./http.js";
import { mintTokens } from "./tokens.js";

const [framework = "fastify", route = "warm", secondsArgument = "5"] = process.argv.slice(2);
if (!(FRAMEWORKS as readonly string[]).includes(framework)) throw new Error(`framework must be one of ${FRAMEWORKS.join(", ")}`);
const directory = fileURLToPath(new URL(`./profiles/${framework}-${route}`, import.meta.url));
rmSync(directory, { recursive: true, force: true });
mkdirSync(directory, { recursive: true });

const { notarizer, tokens } = await mintTokens(route.startsWith("cold") ? 25_000 : 1);
const server = await startServer(framework as Framework, notarizer.publicKey, ["--cpu-prof", `--cpu-prof-dir=${directory}`]);
const request =
  route === "health"
    ? { method: "GET", path: "/health" }
    : route === "shape"
      ? { method: "GET", path: SAME_SHAPE_PATH, headers: { authorization: `Bearer ${tokens[0]}` } }
    : route === "warm"
      ? { method: "GET", path: "/me", headers: { authorization: `Bearer ${tokens[0]}` } }
      : rotating(tokens);
const result = await load(route === "cold-sync" ? server.syncUrl : server.url, Number(secondsArgument), 32, request);
await server.stop();
console.log(`${framework} ${route}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, non-2xx ${result.non2xx}`);
const files = readdirSync(directory).map((name) => `${directory}/${name}`);
const summary = fileURLToPath(new URL("./profile-summary.ts", import.meta.url));
console.log(execFileSync(process.execPath, [...process.execArgv, summary, ...files, "--top=30", "--inclusive=/work/"], { encoding: "utf8" }));

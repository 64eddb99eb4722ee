// Before/after: the HTTP figures of the current hot-path files against those of a git revision,
// measured side by side in one run (two servers per framework, alternating).
// Usage: tsx bench/compare-ref.ts [--ref=2a646e3] [--frameworks=express,fastify,koa,hono] [--seconds=4] [--rounds=2]
// The revision's copies of the files below (read with `git show`, nothing in the working tree
// changes) are bundled in place of the current ones; everything else (adapters, examples,
// frameworks) is the current code. Routes: /health, /me warm (after a cold run has filled the
// cache, as in a server with many sessions), /me cold.
import { execFileSync, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { bundle } from "./build.js";
import { familyPids, fmt, median, table, undisturbed } from "./harness.js";
import { load, rotating } from "./http.js";
import { mintTokens } from "./tokens.js";

const HOT_PATH_FILES = ["verifier", "lru-cache", "native-crypto", "base64url", "parse-token", "extract-token", "authenticate"];
const argument = (name: string) => process.argv.find((value) => value.startsWith(`--${name}=`))?.slice(name.length + 3);
const ref = argument("ref") ?? "2a646e3";
const frameworks = (argument("frameworks") ?? "express,fastify,koa,hono").split(",");
const seconds = Number(argument("seconds") ?? 4);
const rounds = Number(argument("rounds") ?? 2);

const root = fileURLToPath(new URL("../", import.meta.url));
const src = `${root}src/`;
const old = fileURLToPath(new URL(`../node_modules/.cache/turnkey-session-auth-bench/ref-${ref}/`, import.meta.url));
mkdirSync(old, { recursive: true });
for (const name of HOT_PATH_FILES) {
  writeFileSync(`${old}${name}.ts`, execFileSync("git", ["show", `${ref}:src/${name}.ts`], { cwd: root, encoding: "utf8" }));
}
// Relative imports of src/ (and of the old copies) go to the old copy of a hot-path file when
// there is one, else to the current src/ file.
const swap: Plugin = {
  name: "hot-path-from-ref",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      const directory = `${args.resolveDir}/`;
      const fromOld = directory.startsWith(old);
      if (!fromOld && !directory.startsWith(src)) return undefined;
      const target = fileURLToPath(new URL(args.path.replace(/\.js$/, ".ts"), `file://${fromOld ? src : directory}`));
      const name = target.startsWith(src) ? target.slice(src.length, -3) : "";
      if (HOT_PATH_FILES.includes(name)) return { path: `${old}${name}.ts` };
      return fromOld ? { path: target } : undefined;
    });
  },
};
const current = await bundle("./http-server.ts");
const previous = `${old}http-server.mjs`;
await build({
  entryPoints: [fileURLToPath(new URL("./http-server.ts", import.meta.url))],
  outfile: previous,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  plugins: [swap],
  logLevel: "error",
});

const { notarizer, tokens } = await mintTokens(25_000);
const warmToken = tokens[0]!;
const coldTokens = tokens.slice(1);
async function start(file: string, framework: string) {
  const child = fork(file, [framework, notarizer.publicKey], { execArgv: [], stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once("message", resolve));
  return { child, url: `http://127.0.0.1:${port}` };
}
const requests = {
  health: () => ({ method: "GET", path: "/health" }),
  cold: () => rotating(coldTokens),
  warm: () => ({ method: "GET", path: "/me", headers: { authorization: `Bearer ${warmToken}` } }),
};
const rows: string[][] = [];
for (const framework of frameworks) {
  const servers = { [ref]: await start(previous, framework), current: await start(current, framework) };
  const runs: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [version, server] of Object.entries(servers)) {
      for (const [route, request] of Object.entries(requests)) {
        await load(server.url, 1, 32, request());
        const { value } = await undisturbed(() => load(server.url, seconds, 32, request()), 3, () => familyPids());
        (runs[`${version} ${route}`] ??= []).push(value.rps);
      }
    }
  }
  const medianOf = (key: string) => median(runs[key]!);
  for (const version of Object.keys(servers)) {
    const health = medianOf(`${version} health`);
    const warm = medianOf(`${version} warm`);
    rows.push([framework, version === "current" ? "current" : `\`${ref}\``, fmt(health), fmt(warm), `${fmt((100 * warm) / health, 1)}%`, fmt(medianOf(`${version} cold`))]);
  }
  for (const { child } of Object.values(servers)) child.kill();
}
console.log(table(["framework", "hot-path files", "/health req/s", "/me warm req/s", "warm vs /health", "/me cold req/s"], rows));

// The benchmark run: micro, HTTP per framework, memory, DPoP, revocation; a markdown report on
// stdout, progress on stderr. See README.md. From the repository root: `npm run bench [-- options]`,
// or here, after building the library: `node run.js [options]`.
//   --quick                 a short smoke run (figures not to be quoted)
//   --only=micro,http,http-redis,http-dpop,instructions,memory,dpop-engine,revocation
//   --frameworks=express,fastify,koa,hono
//   --baseline=<dir>        also measure the build in <dir> (a checkout with node_modules and dist)
//   --seconds=<n> --rounds=<n>   length of each HTTP run, number of HTTP rounds
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FRAMEWORKS, runHttp } from "./http.js";
import { hasValgrind, runInstructions } from "./instructions.js";
import { fmt, importEntry, mintTokens, pinToCpus, sessionKey } from "./lib.js";
import { runMemory } from "./memory.js";
import { runMicro } from "./micro.js";
import { runDpop } from "./dpop.js";
import { hasRedisServer, startRedis } from "./redis-server.js";
import { runRevocation } from "./revocation.js";

const args = process.argv.slice(2);
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes("--quick");
const PARTS = ["micro", "http", "http-redis", "http-dpop", "instructions", "memory", "dpop-engine", "revocation"];
const only = new Set(option("only")?.split(",") ?? PARTS);
for (const part of only) if (!PARTS.includes(part)) throw new Error(`--only: unknown part ${part} (known: ${PARTS.join(", ")})`);
const frameworks = option("frameworks")?.split(",") ?? FRAMEWORKS;
const seconds = Number(option("seconds") ?? (quick ? 1 : 3));
const rounds = Number(option("rounds") ?? (quick ? 2 : 8));
// More distinct valid tokens than the verifier's default cache holds (16,000 sessions).
const COLD_POOL = 20_000;

const started = performance.now();
const log = (text) => console.error(`[${fmt((performance.now() - started) / 1000)} s] ${text}`);
const load = () => loadavg().map((value) => fmt(value, 2)).join(", ");

/** A checkout's commit, for the report: short hash, "+changes" when its work tree differs. */
function commitOf(dir) {
  try {
    const git = (...rest) => execFileSync("git", ["-C", dir, ...rest], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") === "" ? "" : "+changes"}`;
  } catch {
    return "no git";
  }
}

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const builds = [{ label: "current", dir: "", where: `${root} (${commitOf(root)})` }];
const baseline = option("baseline");
if (baseline !== undefined) {
  const dir = resolve(baseline);
  if (!existsSync(join(dir, "dist")) || !existsSync(join(dir, "node_modules"))) {
    throw new Error(`--baseline=${dir}: needs its dependencies and build (cd ${dir} && npm ci && npm run build)`);
  }
  builds.push({ label: "baseline", dir, where: `${dir} (${commitOf(dir)})` });
}

const cpu = cpus();
console.log(`## ${new Date().toISOString().slice(0, 10)}${quick ? " (--quick: a smoke run, not to be quoted)" : ""}\n`);
console.log(`- machine: ${cpu.length} × ${cpu[0]?.model.trim()}, ${process.platform} ${process.arch}; load average at start ${load()}`);
console.log(`- Node ${process.version}, OpenSSL ${process.versions.openssl}`);
console.log(`- command: \`npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}\``);
for (const build of builds) console.log(`- ${build.label}: ${build.where}`);

log(`minting ${fmt(COLD_POOL + 1)} tokens`);
const { createTestNotarizer } = await importEntry("", "./testing");
const notarizer = createTestNotarizer();
const [warmToken, ...coldTokens] = await mintTokens(notarizer, COLD_POOL + 1);
const targets = [];
const target = (build, met, text) => targets.push(`- ${met ? "met" : "**not met**"} (${build.label}): ${text}`);

if (only.has("micro")) {
  const micro = await runMicro({ builds, notarizer, tokens: coldTokens, seconds: quick ? 0.5 : 3, log });
  console.log(`\n### Micro: verifications per second\n\n${micro.markdown}`);
  for (const { build, coldVsReference } of micro.results) target(build, coldVsReference >= 30, `cold ≥ 30x reference: ${fmt(coldVsReference, 1)}x`);
}

// One redis-server for the parts that need a shared store, when there is one to start.
const needsRedis = only.has("http-redis") || only.has("revocation");
const redis = needsRedis && hasRedisServer() ? await startRedis() : undefined;
process.on("exit", () => redis?.stop()); // also when a benchmark throws
const NO_REDIS = "skipped: no redis-server on PATH";

const httpParts = new Set([["http", "core"], ["http-redis", "redis"], ["http-dpop", "dpop"]].filter(([name]) => only.has(name)).map(([, part]) => part));
if (redis === undefined) httpParts.delete("redis");
// The answer of /me for the warm token, which /me-unprotected and /me-noop give without authentication.
async function warmBodyOf(token) {
  const { createSessionVerifier } = await importEntry("", ".");
  const verifier = createSessionVerifier({ notarizerPublicKey: notarizer.publicKey, trustedOrganizations: "any" });
  const { userId, organizationId, sessionType, expiresAt } = await verifier.verify(token);
  return { userId, organizationId, sessionType, expiresAt };
}

if (httpParts.size > 0) {
  // A DPoP-bound session: a key pair held here, its public half in the token.
  const { createDpopProof } = await importEntry("", "./client");
  const dpopKey = await sessionKey();
  const [dpopToken] = await mintTokens(notarizer, 1, { public_key: dpopKey.publicKey });
  // The HTTP servers get the last CPU to themselves, the load generator (this process) the others.
  const lastCpu = cpus().length - 1;
  const serverCpus = lastCpu > 0 && pinToCpus(process.pid, lastCpu === 1 ? "0" : `0-${lastCpu - 1}`) ? String(lastCpu) : undefined;
  const http = await runHttp({
    builds,
    frameworks,
    parts: httpParts,
    redisUrl: redis?.url,
    dpop: { token: dpopToken, privateKey: dpopKey.privateKey, createDpopProof },
    notarizer,
    warmToken,
    warmBody: await warmBodyOf(warmToken),
    coldTokens,
    seconds,
    rounds,
    warmUpSeconds: quick ? 0.3 : 1,
    serverCpus,
    log,
  });
  if (serverCpus !== undefined) pinToCpus(process.pid, `0-${lastCpu}`); // the parts after this one fork processes of their own
  const placement = serverCpus === undefined ? "load generator and server share the machine" : `server on CPU ${serverCpus}, load generator on the others`;
  const conditions = `autocannon, 32 connections, ${seconds} s per run after a warm-up, ${rounds} rounds; medians; ${placement}`;
  if (httpParts.has("core")) {
    console.log(`\n### HTTP: requests per second (${conditions}; cold rotates through ${fmt(COLD_POOL)} distinct tokens)\n\n${http.markdown.core}`);
    for (const { framework, build, warmRatio, p99Difference, failures } of http.results) {
      target(build, warmRatio >= 0.9, `${framework} warm ≥ 90% of unprotected: ${fmt(100 * warmRatio, 1)}%`);
      target(build, p99Difference <= 1, `${framework} warm p99 within 1 ms of unprotected: ${p99Difference >= 0 ? "+" : ""}${fmt(p99Difference, 2)} ms`);
      if (failures > 0) target(build, false, `${framework}: ${fmt(failures)} requests failed`);
    }
  }
  if (httpParts.has("redis")) {
    console.log(`\n### HTTP: warm route with a Redis store vs without a store (${conditions})\n\n${http.markdown.redis}`);
    for (const { framework, build, redis: pair } of http.results.filter(({ redis: pair }) => pair !== undefined)) {
      target(build, pair.ratio >= 0.9, `${framework} warm with the Redis store ≥ 90% of without a store: ${fmt(100 * pair.ratio, 1)}%`);
      if (pair.failures > 0) target(build, false, `${framework} Redis pair: ${fmt(pair.failures)} requests failed`);
    }
  }
  if (httpParts.has("dpop")) {
    console.log(
      `\n### HTTP: DPoP with a known session vs Bearer cold, one route with \`dpop: "optional"\` (${conditions}; ` +
        `cold rotates through ${fmt(COLD_POOL)} distinct tokens; a fresh proof per DPoP request, made before each run)\n\n${http.markdown.dpop}`,
    );
    for (const { framework, build, dpop: pair } of http.results.filter(({ dpop: pair }) => pair !== undefined)) {
      target(build, pair.ratio >= 0.9, `${framework} DPoP with a known session ≥ 90% of Bearer cold: ${fmt(100 * pair.ratio, 1)}%`);
      if (pair.failures > 0) target(build, false, `${framework} DPoP pair: ${fmt(pair.failures)} requests failed`);
    }
  }
}
if (only.has("http-redis") && redis === undefined) console.log(`\n### HTTP: warm route with a Redis store vs without a store\n\n${NO_REDIS}`);

if (only.has("instructions")) {
  const heading = "### HTTP: instructions per request (callgrind; the smallest count per route of 3 servers; reported, not judged)";
  if (!hasValgrind()) console.log(`\n${heading}\n\nskipped: no valgrind on PATH`);
  else {
    const warmBody = await warmBodyOf(warmToken);
    const counted = await runInstructions({ builds, frameworks, notarizerPublicKey: notarizer.publicKey, warmToken, warmBody, quick, log });
    console.log(`\n${heading}\n\n${counted.markdown}`);
  }
}

if (only.has("memory")) {
  const memory = await runMemory({ builds, validPerFlood: COLD_POOL, log });
  console.log(`\n### Memory: two floods of distinct tokens against one verifier (heap after a full GC)\n\n${memory.markdown}`);
  for (const { build, secondGrowth } of memory.results) {
    target(build, secondGrowth <= 1024 * 1024, `memory bounded: the second flood added ${fmt(secondGrowth / 1024 / 1024, 2)} MB (≤ 1 MB)`);
  }
}

if (only.has("dpop-engine")) {
  const dpop = await runDpop({ notarizer, count: quick ? 3_000 : 20_000, log });
  console.log(`\n### DPoP: requests per second through the adapter engine (in process, 64 in flight; reported, not judged)\n\n${dpop.markdown}`);
}

if (only.has("revocation")) {
  if (redis === undefined) console.log(`\n### Revocation\n\n${NO_REDIS}`);
  else {
    const revocation = await runRevocation({ redisUrl: redis.url, notarizer, quick, log });
    console.log(`\n### Revocation: warm verify with a store, propagation between two processes\n\n${revocation.markdown}`);
    target(builds[0], revocation.p99 <= 100, `revocation refused by another process within 100 ms: p99 ${fmt(revocation.p99, 2)} ms`);
  }
}

console.log(`\n### Targets\n\n${targets.join("\n")}\n`);
console.log(`Load average at the end: ${load()}; ${fmt((performance.now() - started) / 1000)} s in all.`);
redis?.stop();

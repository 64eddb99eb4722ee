// `npm run bench` [-- --quick] [--only=micro,http,memory] [--frameworks=fastify,hono]
//                  [--seconds=6] [--rounds=2] [--out=file.md]
//
// Three benchmark families, one run, printed as markdown:
// - micro: verifications/s of @turnkey/crypto (reference), ours cold and warm, raw node:crypto,
//   openssl speed; ratios from this same run;
// - http: every example app (express, fastify, koa, hono), unprotected vs protected warm vs
//   protected cold vs a synchronous-verify baseline, with autocannon against a child process;
// - memory: a flood of distinct valid and invalid tokens against the cache bound.
// Each figure records how much CPU other processes took meanwhile (the machine may be shared)
// and is retried or flagged when disturbed. See bench/RESULTS.md for the latest figures.
import { writeFileSync } from "node:fs";
import { DEFAULT_CACHE_MAX_ENTRIES } from "../src/jwt/options.js";
import { CONTENTION_LIMIT_CORES, fmt, machine, type CpuWindow } from "./harness.js";
import { FRAMEWORKS, SAME_SHAPE_PATH, runHttp, type Framework } from "./http.js";
import { runMemory } from "./memory.js";
import { runMicro } from "./micro.js";

const argument = (name: string) => process.argv.find((value) => value.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = process.argv.includes("--quick");
const only = new Set((argument("only") ?? "micro,http,memory").split(","));
const frameworks = (argument("frameworks")?.split(",") ?? FRAMEWORKS) as Framework[];
const out = argument("out");

const started = performance.now();
// No more retries of disturbed figures after this (inherited by the children): the full run
// stays under ten minutes, the quick one under one.
process.env.BENCH_DEADLINE ??= String(Date.now() + (quick ? 40_000 : 420_000));
const lines: string[] = [];
const print = (text = "") => {
  lines.push(text);
  console.log(text);
};
const log = (text: string) => console.error(`[${fmt((performance.now() - started) / 1000, 0)} s] ${text}`);

const host = machine();
print(`# turnkey-session-auth benchmark${quick ? " (--quick)" : ""}`);
print();
print(`- machine: ${host.cores} cores, ${host.cpu}, ${host.os}`);
print(`- runtime: Node ${host.node}, OpenSSL ${host.openssl}; UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}`);
print(`- command: \`npm run bench${quick ? " -- --quick" : ""}\`; started ${new Date().toISOString()}`);
if (quick) print("- quick mode: short runs, one round, no retries: a smoke test; quote the full run");

const verdicts: string[] = [];
// A figure measured while other processes took CPU (see harness.ts) decides nothing.
const verdict = (met: boolean | undefined, text: string, disturbed = false) =>
  verdicts.push(`- ${disturbed ? "inconclusive (a figure was disturbed; rerun)" : met === undefined ? "n/a" : met ? "met" : "**not met**"}: ${text}`);
const disturbed = (...windows: (CpuWindow | undefined)[]) => windows.some((window) => window !== undefined && window.othersCores >= CONTENTION_LIMIT_CORES);

if (only.has("micro")) {
  log("micro benchmarks");
  const micro = await runMicro({ quick }, log);
  print();
  print("## Micro: verifications per second");
  print();
  print(micro.markdown);
  const { reference, coldConcurrent, coldSingleCore, warm, openssl, rawSync } = micro.rows;
  if (reference !== undefined && coldConcurrent !== undefined) {
    verdict(coldConcurrent.rate >= 30 * reference.rate, `cold ≥ 30x reference: ${fmt(coldConcurrent.rate / reference.rate, 1)}x`, disturbed(reference.window, coldConcurrent.window));
  }
  // The target 1 is "at least 90% of the single-core rate openssl speed reports". The
  // library's cold rate is what a server gets: verification on the thread pool, on every core (as
  // target 3 asks). Judged that way first; the stricter per-core reading (one CPU for both) second.
  if (coldConcurrent !== undefined && openssl !== undefined) {
    verdict(
      coldConcurrent.rate >= 0.9 * openssl.rate,
      `cold (the library's rate, thread pool on ${host.cores} cores) ≥ 90% of openssl's single-core verify: ${fmt((100 * coldConcurrent.rate) / openssl.rate, 1)}%`,
      disturbed(coldConcurrent.window, openssl.window),
    );
  }
  if (coldSingleCore !== undefined && openssl !== undefined) {
    verdict(
      coldSingleCore.rate >= 0.9 * openssl.rate,
      `cold pinned to one CPU ≥ 90% of openssl's single-core verify: ${fmt((100 * coldSingleCore.rate) / openssl.rate, 1)}%` + (rawSync === undefined ? "" : ` (Node's own verify call alone: ${fmt((100 * rawSync.rate) / openssl.rate, 1)}%)`),
      disturbed(coldSingleCore.window, openssl.window),
    );
  }
  if (warm !== undefined) verdict(warm.rate > 1_000_000, `warm > 1,000,000/s: ${fmt(warm.rate)}/s`, disturbed(warm.window));
}

if (only.has("http")) {
  log("HTTP benchmarks");
  const seconds = argument("seconds") === undefined ? undefined : Number(argument("seconds"));
  const rounds = argument("rounds") === undefined ? undefined : Number(argument("rounds"));
  const http = await runHttp({ quick, frameworks, ...(seconds === undefined ? {} : { seconds }), ...(rounds === undefined ? {} : { rounds }) }, log);
  print();
  print("## HTTP: requests per second (autocannon → example app in a child process, 127.0.0.1)");
  print();
  print(
    `${http.connections} connections, ${http.seconds} s per run after a warm-up, ${http.rounds} round(s) in alternation (median shown; the target ratios are the median of each round's back-to-back pair); ` +
      `the cold pool holds ${fmt(http.poolSize - 1)} distinct valid tokens (> ${fmt(DEFAULT_CACHE_MAX_ENTRIES)} cache entries). ` +
      "Load generator and server share the machine's cores.",
  );
  print();
  print(http.markdown);
  for (const { framework, routes, paired } of http.results) {
    const { health, shape, warm, cold, coldSync } = routes;
    const { warmVsShape, coldVsSync, warmP99MinusShape } = paired;
    // "The same framework's unprotected route" is read as the same route without authentication
    // (/me-unprotected: /me's request and body): the ratio is then what protection costs. /health,
    // a smaller request and body, is printed beside it.
    verdict(
      warmVsShape.median >= 0.9,
      `${framework} warm ≥ 90% of the same route unprotected (${SAME_SHAPE_PATH}) req/s: ${fmt(100 * warmVsShape.median, 1)}% ` +
        `(median of the rounds' ratios, ${fmt(100 * warmVsShape.min, 1)}–${fmt(100 * warmVsShape.max, 1)}%; ${fmt((100 * warm.rps) / health.rps, 1)}% of /health)`,
      disturbed(warm.window, shape.window),
    );
    const signed = (ms: number) => `${ms >= 0 ? "+" : ""}${fmt(ms, 2)} ms`;
    verdict(
      warmP99MinusShape.median <= 1,
      `${framework} warm p99 within 1 ms of the same route unprotected: ${signed(warmP99MinusShape.median)} ` +
        `(rounds ${signed(warmP99MinusShape.min)} to ${signed(warmP99MinusShape.max)}; ${signed(warm.p99 - health.p99)} vs /health)`,
      disturbed(warm.window, shape.window),
    );
    verdict(
      coldVsSync.median >= 1.5,
      `${framework} cold ≥ 1.5x the synchronous baseline: ${fmt(coldVsSync.median, 2)}x (rounds ${fmt(coldVsSync.min, 2)}–${fmt(coldVsSync.max, 2)}x) ` +
        `(server used ${fmt(cold.serverCores, 2)} cores: event loop ${fmt(cold.serverMainCores, 2)}, thread pool and others ${fmt(cold.serverCores - cold.serverMainCores, 2)})`,
      disturbed(cold.window, coldSync.window),
    );
  }
}

if (only.has("memory")) {
  log("memory benchmark");
  const memory = await runMemory({ quick });
  print();
  print("## Memory: a flood of distinct tokens");
  print();
  print(memory.markdown);
  const { report } = memory;
  const last = report.floods.at(-1)!;
  const first = report.floods[0]!;
  const bound = report.bytesPerEntry * report.maxEntries;
  verdict(
    last.after.heapUsed - report.before.heapUsed <= bound * 1.1 + 2 * 1024 * 1024 && last.after.heapUsed - first.after.heapUsed <= 2 * 1024 * 1024,
    `memory bounded by the cache (${fmt(bound / 1024 / 1024, 1)} MB), no growth after the flood: ` +
      `heapUsed after flood 1 ${fmt((first.after.heapUsed - report.before.heapUsed) / 1024 / 1024, 1)} MB, after flood 2 ${fmt((last.after.heapUsed - report.before.heapUsed) / 1024 / 1024, 1)} MB above the start`,
  );
}

print();
print("## Targets");
print();
for (const line of verdicts) print(line);
print();
print(`Total time: ${fmt((performance.now() - started) / 1000, 0)} s.`);
if (out !== undefined) writeFileSync(out, `${lines.join("\n")}\n`);

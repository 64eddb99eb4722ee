// Where a warm protected request's extra CPU goes, native frames included: `perf record` (Linux
// perf, software cpu-clock; no hardware counters needed) samples one example server while
// autocannon loads /me-unprotected, then /me (warm), in alternation; the samples are turned into
// CPU microseconds per request, grouped by what ran, and the difference is printed.
// Usage: npx tsx bench/perf-diff.ts <express|fastify|koa|hono> [seconds=4] [rounds=2]
// `node --cpu-prof` (bench/profile-http.ts) sees only JavaScript; this also sees V8's builtins and
// runtime (string comparison, Date.now, GC), the kernel and libc.
import { execFileSync, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { FRAMEWORKS, SAME_SHAPE_PATH, load, startServer, type Framework } from "./http.js";
import { fmt, machine, table } from "./harness.js";
import { mintTokens } from "./tokens.js";

const [framework = "koa", secondsArgument = "4", roundsArgument = "2"] = process.argv.slice(2);
if (!(FRAMEWORKS as readonly string[]).includes(framework)) throw new Error(`framework must be one of ${FRAMEWORKS.join(", ")}`);
try {
  execFileSync("perf", ["--version"], { stdio: "ignore" });
} catch {
  console.log("perf-diff: Linux `perf` is not installed (Debian: apt-get install linux-perf); nothing measured.");
  process.exit(0);
}
const seconds = Number(secondsArgument);
const rounds = Number(roundsArgument);
const SAMPLE_HZ = 4000;

// What ran, from perf's DSO and symbol (JIT symbols come from --perf-basic-prof: "JS:*name file:line").
const GROUPS = [
  ["library and app (bundled)", (dso: string, symbol: string) => dso.startsWith("[JIT]") && symbol.includes("turnkey-session-auth-bench")],
  ["framework and packages (JS)", (dso: string, symbol: string) => dso.startsWith("[JIT]") && symbol.includes("node_modules/")],
  ["Node's own JS", (dso: string) => dso.startsWith("[JIT]")],
  ["GC", (_dso: string, symbol: string) => /Scaveng|Evacuat|Heap::|Marking|Sweep|GCTracer|MemoryAllocator/.test(symbol)],
  ["V8 builtins and runtime, Node C++", (dso: string) => dso === "node" || dso.startsWith("libstdc++")],
  ["kernel (sockets, scheduling)", (dso: string) => dso.startsWith("[kernel")],
  ["libc, vdso, other", () => true],
] as const;
type Group = (typeof GROUPS)[number][0];

interface Profiled {
  readonly requests: number;
  readonly microsByGroup: Map<Group, number>;
  readonly microsBySymbol: Map<string, number>;
}

function summarise(file: string, requests: number): Profiled {
  const report = execFileSync("perf", ["report", "-i", file, "--sort", "dso,sym", "--stdio", "--percent-limit", "0"], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const totalNs = Number(/Event count \(approx\.\): (\d+)/.exec(report)?.[1] ?? Number.NaN);
  const microsByGroup = new Map<Group, number>();
  const microsBySymbol = new Map<string, number>();
  for (const line of report.split("\n")) {
    const match = /^\s*([\d.]+)%\s+(\[JIT\] tid \d+|\S+)\s+\[.\]\s+(.*)$/.exec(line);
    if (match === null) continue;
    const [, percent, dso, symbol] = match as unknown as [string, string, string, string];
    const micros = (Number(percent) / 100) * (totalNs / 1000 / requests);
    const group = GROUPS.find(([, matches]) => matches(dso, symbol))![0];
    microsByGroup.set(group, (microsByGroup.get(group) ?? 0) + micros);
    const name = `${dso.startsWith("[JIT]") ? "JS" : dso} ${symbol.replace(/^JS:[*~^]?/, "").replace(/file:\/\/\/\S*\/|\/\S*\/node_modules\//, "")}`.slice(0, 100);
    microsBySymbol.set(name, (microsBySymbol.get(name) ?? 0) + micros);
  }
  return { requests, microsByGroup, microsBySymbol };
}

function add(into: Map<string, number>, from: ReadonlyMap<string, number>, weight: number): void {
  for (const [key, value] of from) into.set(key, (into.get(key) ?? 0) + value * weight);
}

const { notarizer, tokens } = await mintTokens(1);
// --perf-basic-prof also turns on V8's event log (isolate-*.log in the working directory): one file, deleted below.
const v8Log = `/tmp/perf-diff-${process.pid}-v8.log`;
const server = await startServer(framework as Framework, notarizer.publicKey, ["--perf-basic-prof", "--no-logfile-per-isolate", `--logfile=${v8Log}`]);
const pid = server.child.pid!;
const routes = [SAME_SHAPE_PATH, "/me"] as const;
const totals = new Map(routes.map((path) => [path, { groups: new Map<string, number>(), symbols: new Map<string, number>(), rps: [] as number[] }]));
try {
  for (let round = 0; round < rounds; round++) {
    // The order alternates by round: in an A/A test (one route measured twice) the second run of a
    // round lost ~1% of its req/s.
    for (const path of round % 2 === 0 ? routes : [...routes].reverse()) {
      const request = { method: "GET", path, headers: { authorization: `Bearer ${tokens[0]}` } };
      await load(server.url, 1, 32, request); // warm-up (and /me's first, uncached check)
      const file = `/tmp/perf-diff-${process.pid}.data`;
      const perf = spawn("perf", ["record", "-q", "-F", String(SAMPLE_HZ), "-p", String(pid), "-o", file, "--", "sleep", String(seconds)], { stdio: "ignore" });
      const result = await load(server.url, seconds, 32, request);
      await new Promise((resolve) => perf.once("exit", resolve));
      if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} non-2xx answers`);
      const profiled = summarise(file, result.requests);
      rmSync(file, { force: true });
      const total = totals.get(path)!;
      add(total.groups, profiled.microsByGroup, 1 / rounds);
      add(total.symbols, profiled.microsBySymbol, 1 / rounds);
      total.rps.push(result.rps);
    }
  }
} finally {
  await server.stop();
  rmSync(`/tmp/perf-${pid}.map`, { force: true });
  rmSync(v8Log, { force: true });
}

const base = totals.get(SAME_SHAPE_PATH)!;
const protectedRoute = totals.get("/me")!;
const host = machine();
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const mean = (values: readonly number[]) => sum(values) / values.length;
console.log(
  `${framework}: CPU µs per request under perf (${SAMPLE_HZ} Hz cpu-clock), ${rounds} round(s) of ${seconds} s per route, ` +
    `${host.cores} cores, Node ${host.node}. req/s under perf: ${SAME_SHAPE_PATH} ${fmt(mean(base.rps))}, /me ${fmt(mean(protectedRoute.rps))} ` +
    `(${fmt((100 * mean(protectedRoute.rps)) / mean(base.rps), 1)}%)\n`,
);
const row = (name: string, a: number, b: number) => [name, fmt(a, 2), fmt(b, 2), `${b - a >= 0 ? "+" : ""}${fmt(b - a, 2)}`];
console.log(
  table(
    ["what ran", `${SAME_SHAPE_PATH} µs/req`, "/me warm µs/req", "difference"],
    [...GROUPS.map(([group]) => row(group, base.groups.get(group) ?? 0, protectedRoute.groups.get(group) ?? 0)),
      row("**total**", sum(base.groups.values()), sum(protectedRoute.groups.values()))],
  ),
);
const differences = [...new Set([...base.symbols.keys(), ...protectedRoute.symbols.keys()])]
  .map((symbol) => [symbol, (protectedRoute.symbols.get(symbol) ?? 0) - (base.symbols.get(symbol) ?? 0)] as const)
  .sort((a, b) => b[1] - a[1]);
console.log(`\nLargest per-symbol increases (single symbols move by ±0.05 µs from sampling alone):\n`);
console.log(table(["symbol", "µs/req"], differences.slice(0, 20).map(([symbol, micros]) => [`\`${symbol}\``, `+${fmt(micros, 2)}`])));

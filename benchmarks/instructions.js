// Instructions per request (`--only=instructions`, needs valgrind): server.js's app runs under
// callgrind, whose count is reset before and read after a fixed number of requests to one route
// (`callgrind_control --zero`, then `--dump`). Unlike requests per second, an instruction count
// hardly moves with a shared machine's speed, so the cost of protecting a route reads from one run
// (on a quiet machine: see the README). `--single-threaded` keeps the engine's compilation and
// collection off background threads, whose timing under valgrind would move the counts; V8's
// optimizing compiler, which then runs on the counted thread, is left out of the count (its
// inclusive cost, read with callgrind_annotate): compiling code is not running it, and a server
// compiles on other threads. Each route is counted once in each of three fresh servers, in
// alternating order, and the smallest count is kept: a window that met a garbage collection, or a
// process whose engine sent code back to run unoptimized for a while, counts more, never less. A
// request runs some 50 times slower under valgrind, so this part takes minutes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startServer } from "./http.js";
import { fmt, onPath, table } from "./lib.js";

const ROUTES = [["unprotected", "/me-unprotected"], ["noop", "/me-noop"], ["header", "/me-header"], ["warm", "/me"]];
const PROCESSES = 3;
// A window counts about this many instructions; its number of requests follows from two first counts.
const WINDOW_INSTRUCTIONS = 6e8;

/** The instructions of a callgrind dump, less those V8's optimizing compiler ran (its inclusive cost). */
function instructionsOf(file) {
  const report = execFileSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], { encoding: "utf8", maxBuffer: 256e6 });
  const inclusive = (name) => Number(new RegExp(`^\\s*([\\d,]+) .*${name}`, "m").exec(report)?.[1].replaceAll(",", "") ?? 0);
  return inclusive("PROGRAM TOTALS") - inclusive("v8::internal::Compiler::CompileOptimized\\(");
}

/** Whether `valgrind` (with callgrind_control) is on PATH. */
export const hasValgrind = () => onPath("callgrind_control");

/** The instruction count per request of each route, in one fresh server of `framework` and `build`, counted in `order`. */
async function countServer(framework, build, order, { notarizerPublicKey, warmToken, warmBody, quick }) {
  const dir = mkdtempSync(join(tmpdir(), "turnkey-bench-callgrind-"));
  const server = await startServer(framework, build, notarizerPublicKey, warmBody, {}, undefined, {
    execPath: "valgrind",
    execArgv: [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      `--callgrind-out-file=${join(dir, "out")}`,
      process.execPath,
      "--single-threaded",
    ],
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  const send = (path, amount) =>
    autocannon({ url: server.url, connections: 4, amount, requests: [{ method: "GET", path, headers: { authorization: `Bearer ${warmToken}` } }] });
  let dumps = 0;
  const count = async (path, amount) => {
    execFileSync("callgrind_control", ["--zero", String(server.pid)], { stdio: "ignore" });
    const result = await send(path, amount);
    execFileSync("callgrind_control", ["--dump", String(server.pid)], { stdio: "ignore" });
    if (result["2xx"] !== amount) throw new Error(`${framework} (${build.label}) ${path}: ${result["2xx"]} of ${amount} requests answered 2xx`);
    return instructionsOf(join(dir, `out.${++dumps}`)) / amount;
  };
  try {
    const warmUp = quick ? 300 : 1500;
    for (let pass = 0; pass < (quick ? 1 : 3); pass++) for (const [, path] of ROUTES) await send(path, warmUp);
    const first = Math.min(await count(ROUTES[0][1], 500), await count(ROUTES[0][1], 500));
    const amount = Math.min(8000, Math.max(500, Math.round(WINDOW_INSTRUCTIONS / first)));
    const counts = { amount };
    for (const [route, path] of order) counts[route] = await count(path, quick ? 200 : amount);
    return counts;
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts every framework, the builds' servers side by side (one CPU each), three servers per build one after the other. */
export async function runInstructions({ builds, frameworks, notarizerPublicKey, warmToken, warmBody, quick, log }) {
  const results = [];
  for (const framework of frameworks) {
    log(`instructions: ${framework}, ${builds.map((build) => build.label).join(" and ")} under callgrind`);
    const perProcess = builds.map(() => []);
    for (let server = 0; server < (quick ? 1 : PROCESSES); server++) {
      const order = server % 2 === 0 ? ROUTES : [...ROUTES].reverse();
      const counted = await Promise.all(builds.map((build) => countServer(framework, build, order, { notarizerPublicKey, warmToken, warmBody, quick })));
      counted.forEach((counts, index) => perProcess[index].push(counts));
    }
    builds.forEach((build, index) => {
      const smallest = (key) => Math.min(...perProcess[index].map((counts) => counts[key]));
      results.push({ framework, build, ...Object.fromEntries(["amount", ...ROUTES.map(([route]) => route)].map((key) => [key, smallest(key)])) });
    });
  }
  const thousands = (value) => fmt(value / 1000, 1);
  const percent = (ratio) => `${fmt(100 * ratio, 1)}%`;
  const rows = results.map(({ framework, build, amount, unprotected, noop, header, warm }) => [
    framework,
    build.label,
    thousands(unprotected),
    thousands(noop),
    thousands(header),
    thousands(warm),
    `**${percent(unprotected / warm)}**`,
    percent(unprotected / header),
    thousands(warm - noop),
    thousands(header - noop),
    fmt(amount),
  ]);
  const markdown = table(
    ["framework", "build", "unprotected k instr/req", "no-op k instr/req", "header read k instr/req", "warm k instr/req", "unprotected / warm", "unprotected / header read", "library k instr/req (warm − no-op)", "reading the header alone (header read − no-op)", "requests per window"],
    rows,
  );
  return { results, markdown };
}

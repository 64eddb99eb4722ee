// HTTP benchmark: each example app (examples/<framework>/app.ts) served from a child process on
// 127.0.0.1, loaded by autocannon from this process. Per framework: GET /health (unprotected),
// GET /me with one token (protected, warm), GET /me with a rotating pool of distinct valid tokens
// (protected, cold), and the cold run against the same app given a synchronous single-threaded
// verifier (the baseline for "cold uses both cores"). Routes are measured in alternation, in
// rounds, and each figure is the median of its rounds, so a slow moment of the machine does not
// land on one route only. The two comparisons the targets make are paired: each is taken within a
// round, between two runs back to back, in the opposite order every other round, and judged on the
// median of the rounds' ratios: the machine's drift between rounds (other work on its two shared
// cores) cancels out, and so does the ~1% that the second run of a pair loses in an A/A test
// (the same route twice, `bench/perf-diff.ts`).
import { fork, type ChildProcess } from "node:child_process";
import autocannon, { type AutocannonRequest } from "autocannon";
import { DEFAULT_CACHE_MAX_ENTRIES } from "../src/jwt/options.js";
import { bundle } from "./build.js";
import { contentionNote, familyPids, fmt, median, table, undisturbed, type CpuWindow } from "./harness.js";
import { mintTokens } from "./tokens.js";

export const FRAMEWORKS = ["express", "fastify", "koa", "hono"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface HttpOptions {
  readonly quick: boolean;
  readonly frameworks?: readonly Framework[];
  readonly connections?: number;
  /** Seconds per measured run. Default 3 (quick: 0.5). */
  readonly seconds?: number;
  /** Rounds of alternation. Default 4 (quick: 1); each figure is the median of its rounds. */
  readonly rounds?: number;
}

export interface LoadResult {
  readonly rps: number;
  /** Milliseconds, from every 2xx response's own timing (autocannon's histogram has whole ms). */
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface MeasuredLoad extends LoadResult {
  /** Cores used by the server process (all its threads) during the run. */
  readonly serverCores: number;
  /** Of which its main thread (the event loop); the rest: libuv pool (signature checks) and GC threads. */
  readonly serverMainCores: number;
  /** Cores used by this process (autocannon) during the run. */
  readonly loadCores: number;
  readonly window: CpuWindow;
}

export type Route = "health" | "shape" | "warm" | "cold" | "coldSync";

/** Added to each example app by the server child: /me's body without authentication. */
export const SAME_SHAPE_PATH = "/me-unprotected";

export interface FrameworkResult {
  readonly framework: Framework;
  /** Median run of each route. */
  readonly routes: Readonly<Record<Route, MeasuredLoad>>;
  /** Every round's runs, in order. */
  readonly rounds: readonly Readonly<Record<Route, MeasuredLoad>>[];
  /** The targets' comparisons, each the median of its per-round ratios (runs back to back). */
  readonly paired: { readonly warmVsShape: PairedRatio; readonly coldVsSync: PairedRatio; readonly warmP99MinusShape: PairedRatio };
}

/** A comparison taken in every round: the median of the rounds' values, and their range. */
export interface PairedRatio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}


export interface RunningServer {
  readonly child: ChildProcess;
  /** The app as configured (the library's verifier). */
  readonly url: string;
  /** The same app with the synchronous verifier. */
  readonly syncUrl: string;
  stop(): Promise<void>;
}

/**
 * Forks the server child: http-server.ts compiled to plain JavaScript (see build.ts) under plain
 * `node`, as a deployed app runs. `execArgv` e.g. `--cpu-prof` for profiling.
 */
export async function startServer(framework: Framework, notarizerPublicKey: string, execArgv: readonly string[] = []): Promise<RunningServer> {
  const child = fork(await bundle("./http-server.ts"), [framework, notarizerPublicKey], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    execArgv: [...execArgv],
  });
  const { port, syncPort } = await new Promise<{ port: number; syncPort: number }>((resolve, reject) => {
    child.once("message", (message: { port: number; syncPort: number }) => resolve(message));
    child.once("exit", (code) => reject(new Error(`${framework} server exited (${code}) before listening`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    syncUrl: `http://127.0.0.1:${syncPort}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.disconnect();
        setTimeout(() => child.kill("SIGKILL"), 2000).unref();
      }),
  };
}

/** Latency samples (ms) of 2xx responses, for exact percentiles. */
class Latencies {
  #samples = new Float64Array(1 << 20);
  #count = 0;
  add(ms: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = ms;
  }
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const sorted = this.#samples.subarray(0, this.#count).sort();
    return sorted[Math.min(this.#count - 1, Math.floor((p / 100) * this.#count))]!;
  }
}

/** One autocannon run; req/s counts 2xx responses only. */
export async function load(url: string, seconds: number, connections: number, request: AutocannonRequest): Promise<LoadResult> {
  const latencies = new Latencies();
  let ok = 0;
  const instance = autocannon({ url, connections, pipelining: 1, duration: seconds, requests: [request] });
  (instance as unknown as NodeJS.EventEmitter).on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) {
      ok++;
      latencies.add(ms);
    }
  });
  const result = await instance;
  return {
    rps: ok / result.duration,
    p50: latencies.percentile(50),
    p99: latencies.percentile(99),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

// Where the rotation through the cold pool stands: it carries on across warm-ups and runs, so a
// token comes back only after the whole pool has gone by (by then the cache has evicted it).
let nextColdToken = 0;

/** A request whose Authorization header takes the next token of the pool, across all connections. */
export function rotating(tokens: readonly string[]): AutocannonRequest {
  return {
    method: "GET",
    path: "/me",
    setupRequest(request) {
      request.headers = { authorization: `Bearer ${tokens[nextColdToken++ % tokens.length]}` };
      return request;
    },
  };
}

function medianRun(runs: readonly MeasuredLoad[]): MeasuredLoad {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Runs the HTTP family. */
export async function runHttp(
  options: HttpOptions,
  log: (line: string) => void = () => undefined,
): Promise<{ results: FrameworkResult[]; markdown: string; poolSize: number; seconds: number; rounds: number; connections: number }> {
  const { quick } = options;
  const seconds = options.seconds ?? (quick ? 0.5 : 3);
  // An even number, so each order of a pair runs as often.
  const rounds = options.rounds ?? (quick ? 1 : 4);
  const attempts = quick ? 1 : 2;
  const connections = options.connections ?? 32;
  // More distinct tokens than the server's cache holds, so a rotating token has been evicted
  // before it comes back: every request of the cold runs verifies a signature.
  const poolSize = Math.max(quick ? 12_000 : 25_000, Math.ceil(DEFAULT_CACHE_MAX_ENTRIES * 1.25));
  log(`http: minting ${poolSize} tokens`);
  const { notarizer, tokens } = await mintTokens(poolSize);
  const warmToken = tokens[0]!;
  const coldTokens = tokens.slice(1);
  const results: FrameworkResult[] = [];

  for (const framework of options.frameworks ?? FRAMEWORKS) {
    log(`http: ${framework}`);
    const server = await startServer(framework, notarizer.publicKey);
    const serverPid = server.child.pid!;
    let warmUpSeconds = quick ? 0.3 : 1; // the first round's JIT; afterwards only pools and cache
    const measure = async (url: string, request: () => AutocannonRequest): Promise<MeasuredLoad> => {
      await load(url, warmUpSeconds, connections, request());
      const { value, window } = await undisturbed(() => load(url, seconds, connections, request()), attempts, () => familyPids());
      return {
        ...value,
        serverCores: window.coresByPid.get(serverPid) ?? 0,
        serverMainCores: window.mainThreadCoresByPid.get(serverPid) ?? 0,
        loadCores: window.coresByPid.get(process.pid) ?? 0,
        window,
      };
    };
    const runs: Record<Route, MeasuredLoad>[] = [];
    try {
      for (let round = 0; round < rounds; round++) {
        const health = await measure(server.url, () => ({ method: "GET", path: "/health" }));
        const reversed = round % 2 === 1;
        // Each target's pair back to back: the synchronous baseline and the library cold.
        const [coldSync, cold] = await inOrder(
          reversed,
          () => measure(server.syncUrl, () => rotating(coldTokens)),
          () => measure(server.url, () => rotating(coldTokens)),
        );
        // The same request as the warm /me (its Authorization header too) and the same body back,
        // with no authentication: the difference to /me is what the library costs. After the cold
        // run, so the cache is full (as in a server with many sessions) and the one token hits it.
        const [shape, warm] = await inOrder(
          reversed,
          () => measure(server.url, () => ({ method: "GET", path: SAME_SHAPE_PATH, headers: { authorization: `Bearer ${warmToken}` } })),
          () => measure(server.url, () => ({ method: "GET", path: "/me", headers: { authorization: `Bearer ${warmToken}` } })),
        );
        runs.push({ health, shape, warm, cold, coldSync });
        warmUpSeconds = quick ? 0.3 : 0.5;
      }
    } finally {
      await server.stop();
    }
    const routes = {} as Record<Route, MeasuredLoad>;
    for (const route of ["health", "shape", "warm", "cold", "coldSync"] as const) routes[route] = medianRun(runs.map((run) => run[route]));
    const paired = {
      warmVsShape: pairedRatio(runs.map((run) => run.warm.rps / run.shape.rps)),
      coldVsSync: pairedRatio(runs.map((run) => run.cold.rps / run.coldSync.rps)),
      warmP99MinusShape: pairedRatio(runs.map((run) => run.warm.p99 - run.shape.p99)),
    };
    results.push({ framework, routes, rounds: runs, paired });
  }
  return { results, markdown: httpTable(results, poolSize - 1), poolSize, seconds, rounds, connections };
}

/** Runs `first` then `second`, or the other way round; answers in the order given. */
async function inOrder<T>(reversed: boolean, first: () => Promise<T>, second: () => Promise<T>): Promise<[T, T]> {
  if (!reversed) return [await first(), await second()];
  const later = await second();
  return [await first(), later];
}

function pairedRatio(values: readonly number[]): PairedRatio {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function httpTable(results: readonly FrameworkResult[], coldTokens: number): string {
  const ms = (value: number) => (Number.isNaN(value) ? "n/a" : fmt(value, 2));
  const problems = (result: LoadResult) => {
    const found = [];
    if (result.non2xx > 0) found.push(`${fmt(result.non2xx)} non-2xx`);
    if (result.errors > 0) found.push(`${fmt(result.errors)} errors`);
    return found.length === 0 ? "" : ` ⚠ ${found.join(", ")}`;
  };
  const rows: string[][] = [];
  const range = ({ min, max }: PairedRatio, scale: number, digits: number) =>
    results[0]!.rounds.length > 1 ? ` (rounds ${fmt(min * scale, digits)}–${fmt(max * scale, digits)})` : "";
  for (const { framework, routes, paired } of results) {
    const { health, shape, warm, cold, coldSync } = routes;
    const line = (route: string, result: MeasuredLoad, versus: string, note: string) => [
      framework,
      route,
      fmt(result.rps),
      ms(result.p50),
      ms(result.p99),
      versus,
      `${fmt(result.serverCores, 2)} (${fmt(result.serverMainCores, 2)} + ${fmt(Math.max(0, result.serverCores - result.serverMainCores), 2)}) / ${fmt(result.loadCores, 2)}`,
      note + problems(result) + contentionNote(result.window),
    ];
    const percent = (result: MeasuredLoad) => `${fmt((100 * result.rps) / health.rps, 1)}%`;
    const p99Delta = warm.p99 - health.p99;
    rows.push(line("GET /health (unprotected)", health, "100%", ""));
    rows.push(line(`GET ${SAME_SHAPE_PATH} (as /me, no auth)`, shape, percent(shape), "added by the bench: /me's request (token header included) and body, not verified"));
    rows.push(
      line(
        "GET /me warm (one token)",
        warm,
        percent(warm),
        `p99 ${p99Delta >= 0 ? "+" : ""}${ms(p99Delta)} ms vs /health; **${fmt(100 * paired.warmVsShape.median, 1)}%** of ${SAME_SHAPE_PATH}` +
          `${range(paired.warmVsShape, 100, 1)}; pairs back to back, order alternating`,
      ),
    );
    rows.push(line(`GET /me cold (${fmt(coldTokens)} distinct tokens)`, cold, percent(cold), `**${fmt(paired.coldVsSync.median, 2)}x** the synchronous baseline${range(paired.coldVsSync, 1, 2)}; pairs back to back, order alternating`));
    rows.push(line("GET /me cold, synchronous verify (baseline)", coldSync, percent(coldSync), "same app, signature verified on the event loop"));
  }
  return table(["framework", "route", "req/s", "p50 ms", "p99 ms", "vs /health", "cores: server (event loop + other threads) / autocannon", "notes"], rows);
}

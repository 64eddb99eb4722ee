// HTTP: per framework and build, a tiny app (server.js) in a child process on 127.0.0.1, loaded by
// autocannon from this process. Each round runs, for the parts asked:
// - core: cold, GET /me rotating through a pool of distinct valid tokens larger than the
//   verifier's cache, so every request checks a signature; then unprotected, no-op and warm, back to
//   back: GET /me-unprotected, /me-noop and /me with one token, the same request and the same answer;
// - redis: warm and GET /me-redis (the same route whose verifier shares a Redis store), back to back;
// - dpop: GET /me-dpop (`dpop: "optional"`) fed distinct Bearer tokens (cold), and the same route
//   with one known DPoP-bound token and a fresh proof per request, back to back.
// The order within each pair alternates by round, and the targets are judged on the median of the
// rounds' ratios: a slow moment of a shared machine hits both runs of a pair, and being second in a
// pair favours neither route. The redis and dpop parts measure the current build only.
import { fork } from "node:child_process";
import autocannon from "autocannon";
import { fmt, median, pinToCpus, table } from "./lib.js";

export const FRAMEWORKS = ["express", "fastify", "koa", "hono"];
const CONNECTIONS = 32;
// Proofs made per DPoP run: this many times the fastest rate seen on its route, for the run's length.
const PROOF_MARGIN = 2;

/**
 * Forks server.js for `framework` and `build`; resolves once it listens. `wrapper` ({ execPath,
 * execArgv }) runs it under another program, as instructions.js does under valgrind.
 */
export function startServer(framework, build, notarizerPublicKey, body, extras, serverCpus, wrapper = {}) {
  const child = fork(new URL("./server.js", import.meta.url), [framework, build.dir, notarizerPublicKey, JSON.stringify(body), JSON.stringify(extras)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    ...wrapper,
  });
  if (serverCpus !== undefined) pinToCpus(child.pid, serverCpus);
  return new Promise((resolve, reject) => {
    child.once("message", ({ port }) => resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.disconnect() }));
    child.once("exit", (code) => reject(new Error(`${framework} server (${build.label}) exited with ${code}`)));
  });
}

/** One autocannon run: 2xx responses per second and their p99 latency (ms, from each response). */
async function load(url, seconds, request) {
  const latencies = [];
  const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, requests: [request] });
  instance.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const failures = result.non2xx + result.errors + result.timeouts;
  return { rps: latencies.length / result.duration, p99: latencies[Math.floor(0.99 * (latencies.length - 1))] ?? Number.NaN, failures };
}

/**
 * Runs every framework for every build; `builds` are measured side by side, in alternating order.
 * `parts`: a Set of "core", "redis", "dpop"; `redisUrl` for redis, `dpop` ({ token, privateKey,
 * createDpopProof }) for dpop.
 */
export async function runHttp({ builds, frameworks, parts, notarizer, warmToken, warmBody, coldTokens, redisUrl, dpop, seconds, rounds, warmUpSeconds, serverCpus, log }) {
  const results = [];
  for (const framework of frameworks) {
    const servers = await Promise.all(
      builds.map((build, index) => {
        const extras = index === 0 ? { dpop: parts.has("dpop"), redisUrl: parts.has("redis") ? redisUrl : undefined } : {};
        return startServer(framework, build, notarizer.publicKey, warmBody, extras, serverCpus);
      }),
    );
    const runs = builds.map(() => ({ cold: [], unprotected: [], noop: [], warm: [], redis: [], dpopCold: [], dpop: [] }));
    try {
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [...builds.keys()] : [...builds.keys()].reverse();
        for (const index of order) {
          log(`http: ${framework} ${builds[index].label}, round ${round + 1}/${rounds}`);
          const requests = routeRequests(servers[index], { warmToken, coldTokens, dpop });
          for (const route of roundRoutes(round, index === 0 ? parts : new Set([...parts].filter((part) => part === "core")))) {
            // Both requests made first (DPoP proofs take a while), so the run follows its warm-up at once.
            const [warmUp, measured] = [await requests[route](warmUpSeconds), await requests[route](seconds)];
            const warmUpRun = await load(servers[index].url, warmUpSeconds, warmUp);
            const run = await load(servers[index].url, seconds, measured);
            runs[index][route].push(run);
            if (route.startsWith("dpop")) servers[index].dpopRate = Math.max(servers[index].dpopRate ?? 0, warmUpRun.rps, run.rps);
          }
        }
      }
    } finally {
      for (const server of servers) server.stop();
    }
    builds.forEach((build, index) => results.push({ framework, build, ...summarize(runs[index]) }));
  }
  return {
    results,
    markdown: {
      core: parts.has("core") ? coreTable(results, rounds) : undefined,
      redis: parts.has("redis")
        ? pairTable(results.filter(({ redis }) => redis !== undefined), rounds, "redis", ["framework", "warm, no store req/s", "warm, Redis store req/s", "Redis / no store (rounds)", "p99 ms no store / Redis"])
        : undefined,
      dpop: parts.has("dpop")
        ? pairTable(results.filter(({ dpop }) => dpop !== undefined), rounds, "dpop", ["framework", "Bearer cold req/s", "DPoP, known session req/s", "DPoP / cold (rounds)", "p99 ms cold / DPoP"])
        : undefined,
    },
  };
}

/** The routes of one round, in order. Cold first: the warm runs then meet a full cache, as a server with many sessions does. */
function roundRoutes(round, parts) {
  const inOrder = (list) => (round % 2 === 0 ? list : [...list].reverse());
  const core = parts.has("core");
  const warmPairs = [...(core ? ["unprotected", "noop"] : []), ...(core || parts.has("redis") ? ["warm"] : []), ...(parts.has("redis") ? ["redis"] : [])];
  return [...(core ? ["cold"] : []), ...inOrder(warmPairs), ...(parts.has("dpop") ? inOrder(["dpopCold", "dpop"]) : [])];
}

/** Each route's autocannon request, given the run's length (DPoP proofs are made for it). */
function routeRequests(server, { warmToken, coldTokens, dpop }) {
  // Each cold route carries on its own rotation across runs, so a token returns to a verifier only
  // after the whole pool has passed it, by when its cache has dropped it.
  server.rotation ??= { "/me": 0, "/me-dpop": 0 };
  const rotating = (path) => ({
    method: "GET",
    path,
    setupRequest: (request) => ({ ...request, headers: { authorization: `Bearer ${coldTokens[server.rotation[path]++ % coldTokens.length]}` } }),
  });
  const bearer = (path) => ({ method: "GET", path, headers: { authorization: `Bearer ${warmToken}` } });
  return {
    cold: () => rotating("/me"),
    unprotected: () => bearer("/me-unprotected"),
    noop: () => bearer("/me-noop"),
    warm: () => bearer("/me"),
    redis: () => bearer("/me-redis"),
    dpopCold: () => rotating("/me-dpop"),
    dpop: (seconds) => dpopRequest(server, dpop, seconds),
  };
}

/**
 * GET /me-dpop with the known token and a fresh proof per request, made now for a run of `seconds`
 * (its `iat` stays inside the server's window). Should they run out, the last proof is sent again
 * and refused as a replay: the run's failed requests show it.
 */
async function dpopRequest(server, { token, privateKey, createDpopProof }, seconds) {
  const url = `${server.url}/me-dpop`;
  const count = Math.ceil(PROOF_MARGIN * (server.dpopRate ?? 20_000) * seconds) + CONNECTIONS;
  const proofs = [];
  while (proofs.length < count) {
    proofs.push(...(await Promise.all(Array.from({ length: 64 }, () => createDpopProof({ token, method: "GET", url, privateKey })))));
  }
  let next = 0;
  return {
    method: "GET",
    path: "/me-dpop",
    setupRequest: (request) => ({ ...request, headers: { authorization: `DPoP ${token}`, dpop: proofs[Math.min(next++, proofs.length - 1)] } }),
  };
}

function summarize(runs) {
  const rps = (list) => median(list.map((run) => run.rps));
  const p99 = (list) => median(list.map((run) => run.p99));
  const failures = (...lists) => lists.flat().reduce((sum, run) => sum + run.failures, 0);
  // A part not measured has no runs: its figures come out as NaN, and are not shown.
  const pair = (base, other) => ({
    base: { rps: rps(runs[base]), p99: p99(runs[base]) },
    other: { rps: rps(runs[other]), p99: p99(runs[other]) },
    ratio: median(runs[other].map((run, round) => run.rps / runs[base][round]?.rps)),
    ratios: runs[other].map((run, round) => run.rps / runs[base][round]?.rps),
    p99Difference: median(runs[other].map((run, round) => run.p99 - runs[base][round]?.p99)),
    failures: failures(runs[base], runs[other]),
  });
  const core = pair("unprotected", "warm");
  const noop = pair("unprotected", "noop");
  return {
    unprotected: core.base,
    warm: core.other,
    cold: { rps: rps(runs.cold), p99: p99(runs.cold) },
    warmRatio: core.ratio,
    warmRatios: core.ratios,
    noopRatio: noop.ratio,
    warmVsNoop: pair("noop", "warm").ratio,
    p99Difference: core.p99Difference,
    failures: failures(runs.cold, runs.unprotected, runs.noop, runs.warm),
    redis: runs.redis.length > 0 ? pair("warm", "redis") : undefined,
    dpop: runs.dpop.length > 0 ? pair("dpopCold", "dpop") : undefined,
  };
}

const signed = (ms) => `${ms >= 0 ? "+" : ""}${fmt(ms, 2)}`;
const percent = (ratio) => `${fmt(100 * ratio, 1)}`;
const ratioCell = (pair, rounds) => `**${percent(pair.ratio)}%**${rounds > 1 ? ` (${pair.ratios.map(percent).join(", ")})` : ""}`;
const failuresCell = (count) => (count === 0 ? "0" : `**${fmt(count)}**`);

function coreTable(results, rounds) {
  const rows = results.map((result) => [
    result.framework,
    result.build.label,
    fmt(result.unprotected.rps),
    fmt(result.warm.rps),
    ratioCell({ ratio: result.warmRatio, ratios: result.warmRatios }, rounds),
    `${percent(result.noopRatio)}%`,
    `${percent(result.warmVsNoop)}%`,
    `${fmt(result.unprotected.p99, 2)} / ${fmt(result.warm.p99, 2)}`,
    `**${signed(result.p99Difference)}**`,
    `${fmt(result.cold.rps)} (${percent(result.cold.rps / result.unprotected.rps)}%)`,
    fmt(result.cold.p99, 2),
    failuresCell(result.failures),
  ]);
  return table(
    ["framework", "build", "unprotected req/s", "warm req/s", "warm / unprotected (rounds)", "no-op middleware / unprotected", "warm / no-op", "p99 ms unprotected / warm", "p99 Δ ms", "cold req/s (% unprotected)", "cold p99 ms", "failed requests"],
    rows,
  );
}

/** One row per framework for the pair under `key` ("redis", "dpop"); `headers` name its columns. */
function pairTable(results, rounds, key, headers) {
  const rows = results.map(({ framework, [key]: pair }) => [
    framework,
    fmt(pair.base.rps),
    fmt(pair.other.rps),
    ratioCell(pair, rounds),
    `${fmt(pair.base.p99, 2)} / ${fmt(pair.other.p99, 2)}`,
    failuresCell(pair.failures),
  ]);
  return table([...headers, "failed requests"], rows);
}

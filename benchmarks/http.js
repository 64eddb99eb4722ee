// HTTP: per framework and build, a tiny app (server.js) in a child process on 127.0.0.1, loaded by
// autocannon from this process. Three runs per round:
// - cold: GET /me rotating through a pool of distinct valid tokens larger than the verifier's
//   cache, so every request checks a signature;
// - unprotected and warm, back to back: GET /me-unprotected and GET /me with one token, the same
//   request and the same answer. Their order alternates by round, and the targets are judged on
//   the median of the rounds' ratios: a slow moment of a shared machine hits both runs of a pair,
//   and being second in a pair favours neither route.
import { fork } from "node:child_process";
import autocannon from "autocannon";
import { fmt, median, table } from "./lib.js";

export const FRAMEWORKS = ["express", "fastify", "koa", "hono"];
const CONNECTIONS = 32;

function startServer(framework, build, notarizerPublicKey, body) {
  const child = fork(new URL("./server.js", import.meta.url), [framework, build.dir, notarizerPublicKey, JSON.stringify(body)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", ({ port }) => resolve({ url: `http://127.0.0.1:${port}`, stop: () => child.disconnect() }));
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

/** Runs every framework for every build; `builds` are measured side by side, in alternating order. */
export async function runHttp({ builds, frameworks, notarizer, warmToken, warmBody, coldTokens, seconds, rounds, warmUpSeconds, log }) {
  let next = 0; // the cold rotation carries on across runs, so a token returns only after the whole pool
  const requests = {
    cold: () => ({
      method: "GET",
      path: "/me",
      setupRequest: (request) => ({ ...request, headers: { authorization: `Bearer ${coldTokens[next++ % coldTokens.length]}` } }),
    }),
    unprotected: () => ({ method: "GET", path: "/me-unprotected", headers: { authorization: `Bearer ${warmToken}` } }),
    warm: () => ({ method: "GET", path: "/me", headers: { authorization: `Bearer ${warmToken}` } }),
  };
  const results = [];
  for (const framework of frameworks) {
    const servers = await Promise.all(builds.map((build) => startServer(framework, build, notarizer.publicKey, warmBody)));
    const runs = builds.map(() => ({ cold: [], unprotected: [], warm: [] }));
    try {
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [...builds.keys()] : [...builds.keys()].reverse();
        for (const index of order) {
          log(`http: ${framework} ${builds[index].label}, round ${round + 1}/${rounds}`);
          // Cold first: the warm run then meets a full cache, as a server with many sessions does.
          for (const route of ["cold", ...(round % 2 === 0 ? ["unprotected", "warm"] : ["warm", "unprotected"])]) {
            await load(servers[index].url, warmUpSeconds, requests[route]());
            runs[index][route].push(await load(servers[index].url, seconds, requests[route]()));
          }
        }
      }
    } finally {
      for (const server of servers) server.stop();
    }
    builds.forEach((build, index) => results.push({ framework, build, ...summarize(runs[index]) }));
  }
  return { results, markdown: httpTable(results, rounds) };
}

function summarize({ cold, unprotected, warm }) {
  const rps = (list) => median(list.map((run) => run.rps));
  const p99 = (list) => median(list.map((run) => run.p99));
  return {
    unprotected: { rps: rps(unprotected), p99: p99(unprotected) },
    warm: { rps: rps(warm), p99: p99(warm) },
    cold: { rps: rps(cold), p99: p99(cold) },
    warmRatio: median(warm.map((run, round) => run.rps / unprotected[round].rps)),
    warmRatios: warm.map((run, round) => run.rps / unprotected[round].rps),
    p99Difference: median(warm.map((run, round) => run.p99 - unprotected[round].p99)),
    failures: [...cold, ...unprotected, ...warm].reduce((sum, run) => sum + run.failures, 0),
  };
}

function httpTable(results, rounds) {
  const signed = (ms) => `${ms >= 0 ? "+" : ""}${fmt(ms, 2)}`;
  const rows = results.map((result) => [
    result.framework,
    result.build.label,
    fmt(result.unprotected.rps),
    fmt(result.warm.rps),
    `**${fmt(100 * result.warmRatio, 1)}%**${rounds > 1 ? ` (${result.warmRatios.map((ratio) => fmt(100 * ratio, 1)).join(", ")})` : ""}`,
    `${fmt(result.unprotected.p99, 2)} / ${fmt(result.warm.p99, 2)}`,
    `**${signed(result.p99Difference)}**`,
    `${fmt(result.cold.rps)} (${fmt((100 * result.cold.rps) / result.unprotected.rps, 1)}%)`,
    fmt(result.cold.p99, 2),
    result.failures === 0 ? "0" : `**${fmt(result.failures)}**`,
  ]);
  return table(
    ["framework", "build", "unprotected req/s", "warm req/s", "warm / unprotected (rounds)", "p99 ms unprotected / warm", "p99 Δ ms", "cold req/s (% unprotected)", "cold p99 ms", "failed requests"],
    rows,
  );
}

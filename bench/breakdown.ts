// Where a warm Koa request's cost goes: `npx tsx bench/breakdown.ts [rounds=4] [seconds=3] [--pin]`.
// One Koa app (bench/breakdown-server.ts, in a child process) serves /me's body on routes that
// each add one piece of the protected path; autocannon loads them in alternation, in rounds (the
// order reversed every other round), with one valid token (a cache hit after the first request),
// and each figure is the median round. Printed as markdown: req/s as a share of the unprotected
// route, and the server's event-loop CPU per request (from /proc/<pid>/task/<pid>/schedstat, in
// nanoseconds), the less noisy of the two. `--pin` puts the server on CPU 0 and autocannon on
// CPU 1 (`taskset`), so that neither takes the other's core.
import { execFileSync, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { bundle } from "./build.js";
import { fmt, machine, median, table } from "./harness.js";
import { load } from "./http.js";
import { mintTokens } from "./tokens.js";

const ROUTES: readonly (readonly [path: string, what: string])[] = [
  ["/unprotected", "no middleware"],
  ["/empty", "an empty middleware that sets `ctx.state.turnkey`"],
  ["/extract", "+ reading the Bearer token from the raw headers"],
  ["/busy", "control: /extract + 0.8 µs of pure computation (`BUSY_NS`), what the library's own frames take per request"],
  ["/hit-sliced", "/extract + a hand-made cache hit (index, `Map`, clock) comparing the token sliced out of the header"],
  ["/hit-received", "the same hit comparing the header value as received"],
  ["/verify", "/extract + the verifier's cache hit by token (synchronous)"],
  ["/auth", "the whole middleware (`turnkeyAuth`), which matches a known Authorization value as received"],
  ["/protect", "the whole check as `auth.protect(handler)`: one step fewer in the route's chain"],
  ["/auth-recording", "the whole middleware, an instance that also serves a `with()` route"],
];

const [rounds = 4, seconds = 3] = process.argv.slice(2).filter((value) => !value.startsWith("--")).map(Number);
const pin = process.argv.includes("--pin");
const { notarizer, tokens } = await mintTokens(1);
const child = fork(await bundle("./breakdown-server.ts"), [notarizer.publicKey], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const { port } = await new Promise<{ port: number }>((resolve) => child.once("message", (message) => resolve(message as { port: number })));
const serverPid = child.pid!;
if (pin) {
  execFileSync("taskset", ["-a", "-p", "-c", "0", String(serverPid)], { stdio: "ignore" });
  execFileSync("taskset", ["-a", "-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
}
const eventLoopNs = () => Number(readFileSync(`/proc/${serverPid}/task/${serverPid}/schedstat`, "utf8").split(" ")[0]);
const url = `http://127.0.0.1:${port}`;
const rates = new Map<string, number[]>();
const cpuMicros = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const [path] of round % 2 === 0 ? ROUTES : [...ROUTES].reverse()) {
    const request = { method: "GET", path, headers: { authorization: `Bearer ${tokens[0]}` } };
    await load(url, 0.5, 32, request); // warm-up: JIT, and the token's first (uncached) check
    const before = eventLoopNs();
    const result = await load(url, seconds, 32, request);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    rates.set(path, [...(rates.get(path) ?? []), result.rps]);
    cpuMicros.set(path, [...(cpuMicros.get(path) ?? []), (eventLoopNs() - before) / 1000 / result.requests]);
  }
}
child.disconnect();

const base = median(rates.get("/unprotected")!);
const baseCpu = median(cpuMicros.get("/unprotected")!);
const host = machine();
console.log(
  `Koa warm breakdown: ${host.cores} cores, Node ${host.node}; ${rounds} rounds of ${seconds} s, 32 connections, median round` +
    `${pin ? "; server pinned to CPU 0, autocannon to CPU 1" : ""}\n`,
);
console.log(
  table(
    ["route", "what it runs", "req/s", "vs unprotected", "event-loop CPU µs/req", "difference", "rounds (req/s)"],
    ROUTES.map(([path, what]) => {
      const values = rates.get(path)!;
      const cpu = median(cpuMicros.get(path)!);
      return [
        path,
        what,
        fmt(median(values)),
        `${fmt((100 * median(values)) / base, 1)}%`,
        fmt(cpu, 2),
        `${cpu - baseCpu >= 0 ? "+" : ""}${fmt(cpu - baseCpu, 2)}`,
        values.map((value) => fmt(value)).join(", "),
      ];
    }),
  ),
);

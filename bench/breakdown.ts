// Where a warm Koa request's cost goes: `npx tsx bench/breakdown.ts [rounds=4] [seconds=3]`.
// One Koa app (bench/breakdown-server.ts, in a child process) serves /me's body on routes that
// each add one piece of the protected path; autocannon loads them in alternation, in rounds, with
// one valid token (a cache hit after the first request), and each figure is the median round.
// Printed as markdown, as a share of the unprotected route.
import { fork } from "node:child_process";
import { bundle } from "./build.js";
import { fmt, machine, median, table } from "./harness.js";
import { load } from "./http.js";
import { mintTokens } from "./tokens.js";

const ROUTES: readonly (readonly [path: string, what: string])[] = [
  ["/unprotected", "no middleware"],
  ["/empty", "an empty middleware that sets `ctx.state.turnkey`"],
  ["/extract", "+ reading the Bearer token from the raw headers"],
  ["/busy", "control: /extract + 0.8 µs of pure computation (`BUSY_NS`), what the library's own frames take per request"],
  ["/verify", "+ the verifier's cache hit (synchronous)"],
  ["/auth", "the whole middleware (`turnkeyAuth`)"],
  ["/protect", "the whole check as `auth.protect(handler)`: one step fewer in the route's chain"],
  ["/auth-recording", "the whole middleware, an instance that also serves a `with()` route"],
];

const rounds = Number(process.argv[2] ?? 4);
const seconds = Number(process.argv[3] ?? 3);
const { notarizer, tokens } = await mintTokens(1);
const child = fork(await bundle("./breakdown-server.ts"), [notarizer.publicKey], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const { port } = await new Promise<{ port: number }>((resolve) => child.once("message", (message) => resolve(message as { port: number })));
const url = `http://127.0.0.1:${port}`;
const rates = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const [path] of ROUTES) {
    const request = { method: "GET", path, headers: { authorization: `Bearer ${tokens[0]}` } };
    await load(url, 0.5, 32, request); // warm-up: JIT, and the token's first (uncached) check
    const result = await load(url, seconds, 32, request);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    rates.set(path, [...(rates.get(path) ?? []), result.rps]);
  }
}
child.disconnect();

const base = median(rates.get("/unprotected")!);
const host = machine();
console.log(`Koa warm breakdown: ${host.cores} cores, Node ${host.node}; ${rounds} rounds of ${seconds} s, 32 connections, median round\n`);
console.log(
  table(
    ["route", "what it runs", "req/s", "vs unprotected", "rounds"],
    ROUTES.map(([path, what]) => {
      const values = rates.get(path)!;
      return [path, what, fmt(median(values)), `${fmt((100 * median(values)) / base, 1)}%`, values.map((value) => fmt(value)).join(", ")];
    }),
  ),
);

// Revocation: what checking revoked sessions costs a warm verify, and how fast a revocation made in
// one process is refused in another. Needs a redis-server (run.js starts one).
// - warm verify of one cached token in this process, one at a time: with no store given (the
//   verifier's own memory store), one shared memory store, and a Redis store (answered from its
//   local mirror of revocations);
// - propagation: this process revokes a token through its verifier's Redis store; a child process
//   (its own verifier, Redis connection and store) watches revocations next to its verifier's mirror
//   and, the moment one arrives, checks that its verifier now refuses the token and stamps the time.
//   Both stamp with process.hrtime (the system-wide monotonic clock), so the latency is the
//   propagation alone: no polling, and not the IPC that reports it. p50/p99 over many revocations.
// The child: node revocation.js --child <redis URL> <notarizer key>
import { fork } from "node:child_process";
import { fmt, importEntry, rate, table } from "./lib.js";
import { redisStore } from "./redis-server.js";

const now = () => Number(process.hrtime.bigint()) / 1e6;
// Each token its own session, so its own revocation: a random public_key (no check here needs a real point).
const randomKey = () => `02${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex")}`;
const options = (notarizerPublicKey, store) => ({ trustedOrganizations: "any", notarizerPublicKey, ...(store ? { store } : {}) });

/** Waits until `verifier` answers (a Redis store's mirror loads after the subscription). */
async function ready(verifier, token) {
  for (let i = 0; i < 1000; i++) {
    try {
      return await verifier.verify(token);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  throw new Error("the verifier never answered");
}

/** Measures the warm verifies and the propagation; `redisUrl` is a running redis-server's. */
export async function runRevocation({ redisUrl, notarizer, quick, log }) {
  const { createMemoryStore, createSessionVerifier } = await importEntry("", ".");
  const seconds = quick ? 0.5 : 3;
  const propagations = quick ? 50 : 500;
  const newToken = () => notarizer.sign({ public_key: randomKey() });
  const warmRate = async (verifier) => {
    const header = `Bearer ${await newToken()}`;
    await ready(verifier, header.slice(7));
    return rate(seconds * 1000, 1, () => verifier.verify(header.slice(7)));
  };

  const redis = await redisStore(redisUrl);
  try {
    log("revocation: warm verify");
    const none = await warmRate(createSessionVerifier(options(notarizer.publicKey)));
    const memory = await warmRate(createSessionVerifier(options(notarizer.publicKey, createMemoryStore())));
    const onRedis = await warmRate(createSessionVerifier(options(notarizer.publicKey, redis.store)));
    log(`revocation: propagation to another process, ${propagations} revocations`);
    const latencies = await propagation(createSessionVerifier(options(notarizer.publicKey, redis.store)), redisUrl, notarizer, newToken, propagations);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    const markdown = [
      table(
        ["warm verify, one cached token, in process", "verifies/s", "vs no store given"],
        [
          ["no store given (own memory store)", fmt(none), "1.00"],
          ["shared memory store", fmt(memory), fmt(memory / none, 2)],
          ["Redis store (local mirror)", fmt(onRedis), fmt(onRedis / none, 2)],
        ],
      ),
      "",
      `Propagation from this process to a child process, each with its own verifier and Redis connection ` +
        `(${propagations} revocations, from revoke() called to the child's verify refusing): p50 ${fmt(at(0.5), 2)} ms, p99 ${fmt(at(0.99), 2)} ms`,
    ].join("\n");
    return { p50: at(0.5), p99: at(0.99), markdown };
  } finally {
    await redis.close();
  }
}

// Revocations before the timed ones: the first of a run are slower (connections, JIT).
const WARM_UP = 10;

/** Revokes `count` tokens one after another (after a warm-up); resolves with each one's latency (ms), sorted. */
async function propagation(revoking, redisUrl, notarizer, newToken, count) {
  const child = fork(new URL(import.meta.url), ["--child", redisUrl, notarizer.publicKey], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise((_, reject) => child.once("exit", (code) => reject(new Error(`revocation child exited with ${code}`))));
  const next = () =>
    Promise.race([
      new Promise((resolve, reject) => child.once("message", (message) => (message.error ? reject(new Error(message.error)) : resolve(message)))),
      exited,
    ]);
  try {
    await next(); // the child's verifier has loaded the revocations
    await ready(revoking, await newToken());
    const latencies = [];
    for (let i = 0; i < WARM_UP + count; i++) {
      const token = await newToken();
      const session = await revoking.verify(token); // revoke(session) then checks no signature
      child.send({ token });
      await next(); // the child knows the session
      const refused = next();
      const started = now();
      await revoking.revoke(session);
      const latency = (await refused).refusedAt - started;
      if (i >= WARM_UP) latencies.push(latency);
    }
    return latencies.sort((a, b) => a - b);
  } finally {
    child.disconnect();
  }
}

if (process.argv[2] === "--child") {
  const [redisUrl, notarizerPublicKey] = process.argv.slice(3);
  const { createSessionVerifier } = await importEntry("", ".");
  const redis = await redisStore(redisUrl);
  const verifier = createSessionVerifier(options(notarizerPublicKey, redis.store));
  let watched; // the token the parent is about to revoke
  // Added after the verifier's own watcher, so told of each revocation just after its mirror.
  redis.store.watch("revoked:", {
    set() {
      if (watched === undefined) return;
      const token = watched;
      watched = undefined;
      verifier.verify(token).then(
        () => process.send({ error: "the child's verifier still accepted a revoked session" }),
        (error) => process.send(error.code === "session_revoked" ? { refusedAt: now() } : { error: `the child's verifier refused with ${error.code}` }),
      );
    },
    delete() {},
    synced() {},
    error() {},
  });
  await redis.synced();
  process.on("message", async ({ token }) => {
    await verifier.verify(token);
    watched = token;
    process.send({ known: true });
  });
  process.on("disconnect", () => void redis.close().finally(() => process.exit(0)));
  process.send({ ready: true });
}

// Revocation: what checking revoked sessions costs a warm verify, and how fast a revocation reaches
// another verifier.
// - warm verify of one cached token with no store given (the verifier's own memory store), with one
//   shared memory store, and with a Redis store (answered from the local mirror), one at a time;
// - propagation: revoke on one verifier, time until another verifier with its own Redis connection
//   refuses it (p50/p99 over many revocations).
// Needs redis-server (Debian's package) on PATH; starts it on a free loopback port.
// Usage: node revocation.js [--quick]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createClient } from "redis";
import { createMemoryStore, createSessionVerifier } from "turnkey-session-auth";
import { createRedisStore } from "turnkey-session-auth/redis";
import { createTestNotarizer } from "turnkey-session-auth/testing";
import { fmt, rate, table } from "./lib.js";

const quick = process.argv.includes("--quick");
const seconds = quick ? 0.5 : 3;
const propagations = quick ? 50 : 500;

async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code})`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

async function redisStore(url) {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  return { client, store: createRedisStore({ client }) };
}

const notarizer = createTestNotarizer();
const options = (store) => ({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, ...(store ? { store } : {}) });
const randomKey = () => `02${[...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;

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

async function warmRate(verifier) {
  const token = await notarizer.sign({ public_key: randomKey() });
  const header = `Bearer ${token}`;
  await ready(verifier, token);
  return rate(seconds * 1000, 1, () => verifier.verify(header.slice(7)));
}

const redis = await startRedis();
try {
  const one = await redisStore(redis.url);
  const two = await redisStore(redis.url);
  const none = await warmRate(createSessionVerifier(options()));
  const memory = await warmRate(createSessionVerifier(options(createMemoryStore())));
  const onRedis = await warmRate(createSessionVerifier(options(one.store)));

  const revoking = createSessionVerifier(options(one.store));
  const watching = createSessionVerifier(options(two.store));
  await ready(revoking, await notarizer.sign({ public_key: randomKey() }));
  await ready(watching, await notarizer.sign({ public_key: randomKey() }));
  const latencies = [];
  for (let i = 0; i < propagations; i++) {
    const token = await notarizer.sign({ public_key: randomKey() });
    await watching.verify(token);
    const started = performance.now();
    await revoking.revoke(token);
    while (watching.cached(token) !== undefined) await new Promise((resolve) => setImmediate(resolve));
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];

  console.log(`## revocation${quick ? " (--quick: a smoke run, not to be quoted)" : ""}\n`);
  console.log(
    table(
      ["warm verify, one cached token", "verifies/s", "vs no store given"],
      [
        ["no store given (own memory store)", fmt(none), "1.00"],
        ["shared memory store", fmt(memory), fmt(memory / none, 2)],
        ["Redis store (local mirror)", fmt(onRedis), fmt(onRedis / none, 2)],
      ],
    ),
  );
  console.log(`\nPropagation between two verifiers with their own Redis connections (${propagations} revocations): p50 ${fmt(at(0.5), 2)} ms, p99 ${fmt(at(0.99), 2)} ms`);
  for (const { client, store } of [one, two]) {
    await store.close();
    await client.close();
  }
} finally {
  redis.stop();
}

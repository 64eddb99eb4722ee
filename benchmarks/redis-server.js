// A throwaway redis-server (Debian's package) on a free loopback port, for the benchmarks that
// need a shared store, and the node-redis client and store each benchmark process makes on it.
import { spawn } from "node:child_process";
import { createClient } from "redis";
import { freePort, importEntry, onPath } from "./lib.js";

/** Whether `redis-server` is on PATH. */
export const hasRedisServer = () => onPath("redis-server");

/** Starts redis-server with no persistence; resolves once it accepts connections. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
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

/**
 * A connected node-redis client and a Redis store of `buildDir`'s build on it. `synced()` resolves
 * once the store has loaded the revocations and subscribed: call it after the verifiers using the
 * store exist, so that theirs are loaded too (the store tells its watchers in order).
 */
export async function redisStore(url, buildDir = "") {
  const { createRedisStore } = await importEntry(buildDir, "./redis");
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  const store = createRedisStore({ client });
  const synced = () =>
    new Promise((resolve) => {
      const stop = store.watch("revoked:", { set() {}, delete() {}, error() {}, synced: () => resolve(stop()) });
    });
  const close = async () => {
    await store.close();
    await client.close();
  };
  return { client, store, synced, close };
}

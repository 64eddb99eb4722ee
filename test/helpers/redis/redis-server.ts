// A real redis-server (Debian's package) on a free loopback port, one per test file. In CI
// (CI=1, where .ci/run installs it) a missing binary fails the tests; elsewhere they are skipped.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

const BINARY = process.env.REDIS_SERVER ?? "redis-server";

/** Whether redis-server can be run here; in CI its absence is an error, not a skip. */
export function redisServerAvailable(): boolean {
  const found = spawnSync(BINARY, ["--version"], { stdio: "ignore" }).status === 0;
  if (!found && process.env.CI) throw new Error(`redis-server is required in CI (install the Debian package redis-server): ${BINARY} not found`);
  if (!found) console.warn("Skipping Redis tests: redis-server is not installed (apt-get install redis-server).");
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** A running redis-server that can be stopped and started again on the same port. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  async function start(): Promise<void> {
    const spawned = spawn(BINARY, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "inherit"] });
    child = spawned;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      spawned.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) resolve();
      });
      spawned.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
    });
  }
  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    running.kill("SIGKILL");
    await once(running, "exit");
  }
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}

// Starts a runtime's binary from node_modules (the registry's bun, deno and workerd packages) and
// waits for the line naming its loopback port.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../..", import.meta.url);

// The platform package's binary, or where the package's own install script moved it.
const BINARIES = {
  bun: ["node_modules/@oven/bun-linux-x64/bin/bun", "node_modules/bun/bin/bun.exe"],
  deno: ["node_modules/@deno/linux-x64-glibc/deno", "node_modules/deno/deno"],
  workerd: ["node_modules/@cloudflare/workerd-linux-64/bin/workerd", "node_modules/workerd/bin/workerd"],
} as const;

export type Runtime = keyof typeof BINARIES;

/** The runtime's binary in this checkout's node_modules, or `undefined` on a platform these paths do not cover. */
export function binaryOf(runtime: Runtime): string | undefined {
  return BINARIES[runtime].map((path) => fileURLToPath(new URL(path, ROOT))).find((path) => existsSync(path));
}

export interface Started {
  readonly port: number;
  fetch(path: string, headers?: Record<string, string>): Promise<Response>;
  stop(): void;
}

/** Runs `binary args` in the repository's root and resolves once it prints `http://127.0.0.1:<port>`. */
export function start(binary: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<Started> {
  const child: ChildProcess = spawn(binary, args, {
    cwd: fileURLToPath(ROOT),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${binary} printed no port within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      child.kill();
      reject(error);
    }
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({
        port,
        fetch: (path, headers = {}) => fetch(`http://127.0.0.1:${port}${path}`, { headers }),
        stop: () => child.kill(),
      });
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`${binary} exited (${code}) before listening:\n${output}`)));
  });
}

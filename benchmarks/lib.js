// Helpers shared by the benchmarks: loading a build of the library, minting tokens, timing, tables.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The organization of every valid benchmark token; each verifier trusts exactly this one. */
export const ORGANIZATION_ID = "c75ecb07-c84a-4dd5-932c-539dfafc6864";

/**
 * Imports an entry point ("." or "./express", …) of a build of the library: the installed
 * package (`turnkey-session-auth`, this checkout's dist) when `dir` is empty, otherwise the
 * checkout at `dir`, resolved through its package.json "exports" as Node resolves an import.
 */
export function importEntry(dir, subpath) {
  if (!dir) return import(subpath === "." ? "turnkey-session-auth" : `turnkey-session-auth/${subpath.slice(2)}`);
  const root = resolve(dir);
  let target = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports?.[subpath];
  while (typeof target === "object" && target !== null) target = target.import ?? target.default;
  if (typeof target !== "string") throw new Error(`${root}/package.json exports no ${subpath}`);
  return import(pathToFileURL(join(root, target)).href);
}

/** Verifier options for the benchmark tokens (the adapters take the same). */
export const verifyOptions = (notarizerPublicKey) => ({ notarizerPublicKey, trustedOrganizations: [ORGANIZATION_ID] });

/** `count` distinct tokens (each has its own user_id) signed by `notarizer`; `claims` override. */
export async function mintTokens(notarizer, count, claims = {}, expiresInSeconds = 3600) {
  const tokens = [];
  for (let index = 0; index < count; index++) {
    tokens.push(await notarizer.sign({ organization_id: ORGANIZATION_ID, ...claims }, { expiresInSeconds }));
  }
  return tokens;
}

/** A session key pair: the private half as a CryptoKey for the client, the public half as Turnkey's compressed hex. */
export async function sessionKey() {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const y = Buffer.from(jwk.y, "base64url");
  const publicKey = (y[31] & 1 ? "03" : "02") + Buffer.from(jwk.x, "base64url").toString("hex");
  const cryptoKey = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  return { publicKey, privateKey: cryptoKey };
}

/** A loopback port free now (for a server that must know its own URL before it listens). */
export async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Calls per second of `op(index)` (sync or async), `concurrency` calls in flight, for `ms`
 * milliseconds, after a short warm-up (the JIT, the thread pool, the caches).
 */
export async function rate(ms, concurrency, op) {
  const run = async (duration) => {
    let count = 0;
    const started = performance.now();
    const end = started + duration;
    const lane = async () => {
      while (performance.now() < end) for (let step = 0; step < 64; step++) await op(count++);
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return count / ((performance.now() - started) / 1000);
  };
  await run(Math.min(500, ms / 5));
  return run(ms);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A number with thousands separators and `digits` decimals. */
export function fmt(value, digits = 0) {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(headers, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Whether `command` is on PATH (it answers `--version`). */
export function onPath(command) {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Binds process `pid` and its threads to the CPUs listed (`"1"`, `"0-2"`) with Linux `taskset`, so
 * that the load generator and the server do not take turns on one CPU while another idles. Returns
 * whether it could (no `taskset`, another OS: the processes share the machine as the OS likes).
 */
export function pinToCpus(pid, cpus) {
  try {
    execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", cpus, String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

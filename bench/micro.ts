// Micro benchmark: verifications per second of the reference (@turnkey/crypto), ours cold and
// warm, and the raw native verify call, all in one run so the ratios compare like with like.
// Everything is measured in a child process running this file compiled to plain JavaScript
// (build.ts) under plain node; the single-core cold figure in a grandchild pinned to one CPU
// (taskset -c 0).
import { fork, spawn, spawnSync } from "node:child_process";
import { createHash, createPublicKey, verify as nodeVerify, type KeyObject } from "node:crypto";
import { verifySessionJwtSignature } from "@turnkey/crypto";
import { p256SpkiDer, rawSignatureToDer } from "../src/crypto/der.js";
import { parseP256PublicKey } from "../src/crypto/p256.js";
import { createSessionVerifier } from "../src/jwt/verifier.js";
import { bundle } from "./build.js";
import { contentionNote, fmt, rateConcurrent, rateSequential, rateSync, table, undisturbed, type CpuWindow } from "./harness.js";
import { BENCH_ORGANIZATION_ID, mintTokens } from "./tokens.js";

export interface MicroOptions {
  readonly quick: boolean;
}

export interface MicroRow {
  readonly rate: number;
  /** Cores this process (and its children) used during the measurement. */
  readonly cores: number;
  readonly window: CpuWindow;
}

export interface MicroResult {
  readonly rows: Readonly<Record<string, MicroRow | undefined>>;
  readonly markdown: string;
}

/** Verifications in flight for the cold runs on the thread pool: enough to keep it busy. */
export const COLD_CONCURRENCY = 64;

// SPKI, as the library imports it (src/der.ts): OpenSSL's own form, the cheapest to verify with.
function publicKeyObject(hex: string): KeyObject {
  const point = parseP256PublicKey(hex)!;
  return createPublicKey({ key: Buffer.from(p256SpkiDer(point)), format: "der", type: "spki" });
}

/** `openssl speed -seconds N [-multi M] ecdsap256`: its verify/s figure. */
export function opensslVerifyRate(seconds: number, multi?: number): number | undefined {
  const args = ["speed", "-seconds", String(seconds), ...(multi === undefined ? [] : ["-multi", String(multi)]), "ecdsap256"];
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  const line = result.stdout.split("\n").find((text) => /nistp256\)/.test(text));
  const verifyPerSecond = line?.trim().split(/\s+/).map(Number).filter((value) => Number.isFinite(value)).at(-1);
  return verifyPerSecond !== undefined && verifyPerSecond > 0 ? verifyPerSecond : undefined;
}

function coresOf(window: CpuWindow): number {
  let cores = 0;
  for (const used of window.coresByPid.values()) cores += used;
  return cores;
}

async function measured(measure: () => Promise<number> | number, attempts: number): Promise<MicroRow> {
  const { value, window } = await undisturbed(measure, attempts);
  return { rate: value, cores: coresOf(window), window };
}

interface PinnedAnswer {
  rate: number;
  cores: number;
  othersCores: number;
}

/** Runs this (compiled) file pinned to CPU 0: ours cold, one CPU, as many in flight as it likes. */
function pinnedCold(durationMs: number, attempts: number): Promise<PinnedAnswer | undefined> {
  const args = ["-c", "0", process.execPath, process.argv[1]!, "--pinned-cold", String(durationMs), String(attempts)];
  return new Promise((resolve) => {
    const child = spawn("taskset", args, { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", () => resolve(undefined));
    child.on("close", (code) => {
      try {
        resolve(code === 0 ? (JSON.parse(output.trim().split("\n").at(-1) ?? "") as PinnedAnswer) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Runs the micro family in a child (this file, compiled) and returns its table. */
export async function runMicro(options: MicroOptions, log: (line: string) => void = () => undefined): Promise<MicroResult> {
  const child = fork(await bundle("./micro.ts"), ["--micro-child", JSON.stringify(options)], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.on("message", (message: { log?: string; rows?: Record<string, SerializedRow | undefined>; quick?: boolean }) => {
      if (message.log !== undefined) log(message.log);
      if (message.rows !== undefined) {
        const rows: Record<string, MicroRow | undefined> = {};
        for (const [name, row] of Object.entries(message.rows)) {
          rows[name] = row === undefined ? undefined : { rate: row.rate, cores: row.cores, window: { othersCores: row.othersCores, coresByPid: new Map(), mainThreadCoresByPid: new Map() } };
        }
        resolve({ rows, markdown: microTable(rows, options.quick) });
      }
    });
    child.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`micro child exited with ${code}`))));
  });
}

interface SerializedRow {
  rate: number;
  cores: number;
  othersCores: number;
}

async function measureAll({ quick }: MicroOptions, log: (line: string) => void): Promise<Record<string, MicroRow | undefined>> {
  const durationMs = quick ? 600 : 3000;
  const attempts = quick ? 1 : 3;
  const poolSize = quick ? 4_000 : 20_000;
  log(`micro: minting ${poolSize} tokens`);
  const { notarizer, tokens } = await mintTokens(poolSize);
  const publicKey = notarizer.publicKey;
  const token = (index: number) => tokens[index % poolSize] as string;
  const rows: Record<string, MicroRow | undefined> = {};

  log("micro: reference");
  const referenceOp = (index: number) => verifySessionJwtSignature(token(index), publicKey);
  await rateSequential(200, referenceOp);
  rows.reference = await measured(() => rateSequential(durationMs, referenceOp, 4), attempts);

  // Raw native: node:crypto's one-shot verify of (sha256(signingInput), DER signature), nothing of
  // ours around it, in the cheapest form Node takes (a KeyObject, DER converted beforehand): the
  // ceiling for our cold path.
  log("micro: raw node:crypto verify");
  const key = publicKeyObject(publicKey);
  const prepared = tokens.slice(0, 2048).map((jwt) => {
    const lastDot = jwt.lastIndexOf(".");
    return {
      digest: createHash("sha256").update(jwt.slice(0, lastDot), "latin1").digest(),
      signature: rawSignatureToDer(Buffer.from(jwt.slice(lastDot + 1), "base64url")),
    };
  });
  if (!nodeVerify("sha256", prepared[0]!.digest, key, prepared[0]!.signature)) throw new Error("raw native verify failed");
  const rawSyncOp = (index: number) => {
    const { digest, signature } = prepared[index & 2047]!;
    nodeVerify("sha256", digest, key, signature);
  };
  rateSync(200, rawSyncOp);
  rows.rawSync = await measured(() => rateSync(durationMs, rawSyncOp), attempts);
  const rawAsyncOp = (index: number) =>
    new Promise<boolean>((resolve) => {
      const { digest, signature } = prepared[index & 2047]!;
      nodeVerify("sha256", digest, key, signature, (error, valid) => resolve(error === null && valid));
    });
  await rateConcurrent(200, COLD_CONCURRENCY, rawAsyncOp);
  rows.rawAsync = await measured(() => rateConcurrent(durationMs, COLD_CONCURRENCY, rawAsyncOp), attempts);

  // Ours, cold: cache off and a pool of distinct tokens, so every call parses, hashes, verifies
  // the signature on the thread pool, parses the claims and builds the session.
  log("micro: ours cold");
  const cold = createSessionVerifier({ trustedOrganizations: [BENCH_ORGANIZATION_ID], notarizerPublicKey: publicKey, cache: false });
  const coldOp = (index: number) => cold.verify(token(index));
  await rateSequential(200, coldOp);
  rows.coldSequential = await measured(() => rateSequential(durationMs, coldOp), attempts);
  await rateConcurrent(200, COLD_CONCURRENCY, coldOp);
  rows.coldConcurrent = await measured(() => rateConcurrent(durationMs, COLD_CONCURRENCY, coldOp), attempts);

  log("micro: ours cold, pinned to one CPU");
  const pinned = await pinnedCold(durationMs, attempts);
  if (pinned !== undefined) {
    rows.coldSingleCore = { rate: pinned.rate, cores: pinned.cores, window: { othersCores: pinned.othersCores, coresByPid: new Map(), mainThreadCoresByPid: new Map() } };
  }

  // Ours, warm: one token again and again, cache on. Each call gets a fresh copy of the string,
  // as a server does (sliced from its header), so V8 has no cached hash for it.
  log("micro: ours warm");
  const warm = createSessionVerifier({ trustedOrganizations: [BENCH_ORGANIZATION_ID], notarizerPublicKey: publicKey });
  const bearer = `Bearer ${token(0)}`;
  await warm.verify(bearer.slice(7));
  const warmOp = () => warm.verify(bearer.slice(7));
  await rateSequential(300, warmOp, 1024);
  rows.warm = await measured(() => rateSequential(durationMs, warmOp, 1024), attempts);

  log("micro: openssl speed");
  const opensslSeconds = quick ? 1 : 3;
  const single = await measured(() => opensslVerifyRate(opensslSeconds) ?? Number.NaN, attempts);
  rows.openssl = Number.isNaN(single.rate) ? undefined : single;
  if (!quick) {
    const multi = await measured(() => opensslVerifyRate(opensslSeconds, 2) ?? Number.NaN, attempts);
    rows.opensslMulti = Number.isNaN(multi.rate) ? undefined : multi;
  }

  return rows;
}

function microTable(rows: Readonly<Record<string, MicroRow | undefined>>, quick: boolean): string {
  const opensslSeconds = quick ? 1 : 3;
  const reference = rows.reference!.rate;
  const opensslRate = rows.openssl?.rate;
  const cell = (row: MicroRow | undefined, format: (rate: number) => string) => (row === undefined ? "n/a" : format(row.rate));
  const line = (name: string, row: MicroRow | undefined, note: string, showCores = true) => [
    name,
    cell(row, (rate) => fmt(rate)),
    cell(row, (rate) => `${fmt(rate / reference, 1)}x`),
    cell(row, (rate) => (opensslRate === undefined ? "n/a" : `${fmt((100 * rate) / opensslRate, 1)}%`)),
    row === undefined || !showCores ? "" : fmt(row.cores, 2),
    note + (row === undefined ? "" : contentionNote(row.window)),
  ];
  return table(
    ["measurement", "verifications/s", "vs reference", "vs openssl 1 core", "cores used", "notes"],
    [
      line("`@turnkey/crypto` verifySessionJwtSignature (reference)", rows.reference, "pure JS (noble), one at a time"),
      line("ours cold, one at a time (await each)", rows.coldSequential, "cache off, distinct tokens; latency-bound: one verify in flight"),
      line(`ours cold, ${COLD_CONCURRENCY} in flight`, rows.coldConcurrent, "cache off, distinct tokens; thread pool on both cores: what a server gets; **targets ≥ 30x reference, ≥ 90% of openssl 1 core**"),
      line("ours cold, single core (`taskset -c 0`)", rows.coldSingleCore, "cache off, distinct tokens, one CPU: the stricter per-core reading of the 90% target"),
      line("ours warm (same token, cache on)", rows.warm, "fresh string per call, as from a header; **target > 1,000,000/s**"),
      line("raw node:crypto `verify`, sync", rows.rawSync, "prehashed digest, DER signature ready, no parsing: the single-core ceiling through Node's API"),
      line(`raw node:crypto \`verify\`, async, ${COLD_CONCURRENCY} in flight`, rows.rawAsync, "thread pool: the two-core ceiling through Node's API"),
      line(`openssl speed ecdsap256, 1 core`, rows.openssl, `\`openssl speed -seconds ${opensslSeconds} ecdsap256\``, false),
      ...(rows.opensslMulti === undefined
        ? []
        : [line("openssl speed ecdsap256, 2 processes", rows.opensslMulti, `\`openssl speed -seconds ${opensslSeconds} -multi 2 ecdsap256\``, false)]),
    ],
  );
}

if (process.argv[2] === "--micro-child") {
  const options = JSON.parse(process.argv[3]!) as MicroOptions;
  const rows = await measureAll(options, (line) => process.send?.({ log: line }));
  const serialized: Record<string, SerializedRow | undefined> = {};
  for (const [name, row] of Object.entries(rows)) {
    serialized[name] = row === undefined ? undefined : { rate: row.rate, cores: row.cores, othersCores: row.window.othersCores };
  }
  process.send?.({ rows: serialized });
  process.disconnect?.();
}

// Child mode (see pinnedCold): `micro.ts --pinned-cold <ms> <attempts>` prints one JSON line.
if (process.argv[2] === "--pinned-cold") {
  const durationMs = Number(process.argv[3]);
  const poolSize = 4_000;
  const { notarizer, tokens } = await mintTokens(poolSize);
  const verifier = createSessionVerifier({ trustedOrganizations: [BENCH_ORGANIZATION_ID], notarizerPublicKey: notarizer.publicKey, cache: false });
  const op = (index: number) => verifier.verify(tokens[index % poolSize] as string);
  await rateConcurrent(300, COLD_CONCURRENCY, op);
  const { value, window } = await undisturbed(() => rateConcurrent(durationMs, COLD_CONCURRENCY, op), Number(process.argv[4]));
  process.stdout.write(`${JSON.stringify({ rate: value, cores: coresOf(window), othersCores: window.othersCores })}\n`);
}

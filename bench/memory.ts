// Memory benchmark, run in a child process with --expose-gc (forked by runMemory):
// 1. bytes per cached session: fill a verifier's cache with real tokens, divide the heap growth;
// 2. a flood of distinct tokens (valid, expired, forged, malformed) through one verifier with the
//    default cache, twice: heapUsed and RSS before, at peak, after each flood (after a full GC).
import { fork } from "node:child_process";
import { createSessionVerifier } from "../src/jwt/verifier.js";
import { DEFAULT_CACHE_MAX_ENTRIES } from "../src/jwt/options.js";
import { bundle } from "./build.js";
import { fmt, table } from "./harness.js";
import { BENCH_ORGANIZATION_ID, forgeToken, malformedToken, mintTokens } from "./tokens.js";

export interface MemorySnapshot {
  readonly heapUsed: number;
  readonly rss: number;
}

export interface MemoryReport {
  readonly bytesPerEntry: number;
  readonly entriesMeasured: number;
  readonly maxEntries: number;
  readonly forgeryEntries: number;
  readonly flood: number;
  readonly mix: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly before: MemorySnapshot;
  readonly floods: readonly { peak: MemorySnapshot; after: MemorySnapshot; seconds: number }[];
}

const MB = 1024 * 1024;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("run with --expose-gc");
  collect();
  collect();
}

function snapshot(): MemorySnapshot {
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/**
 * Heap bytes retained per cached session. Each token arrives as a server sees it: a fresh header
 * string (`Bearer …`) from which the token is sliced, so the cache retains that string too.
 */
async function bytesPerCachedSession(entries: number): Promise<number> {
  const { notarizer, tokens } = await mintTokens(entries + 1);
  const verifier = createSessionVerifier({
    trustedOrganizations: [BENCH_ORGANIZATION_ID],
    notarizerPublicKey: notarizer.publicKey,
    cache: { maxEntries: entries },
  });
  // One verification first, so code, pools and the verifier's own tables exist in the baseline.
  await verifier.verify(`Bearer ${tokens[entries]}`.slice(7));
  verifier.clearCache();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let start = 0; start < entries; start += 256) {
    const batch = tokens.slice(start, Math.min(entries, start + 256));
    await Promise.all(batch.map((token) => verifier.verify(`Bearer ${token}`.slice(7))));
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  verifier.clearCache();
  return (after - before) / entries;
}

async function flood(total: number, validCount: number, quickMeasure: boolean): Promise<MemoryReport> {
  // At the default size itself (quick: fewer entries, the figure per entry hardly moves).
  const entriesMeasured = quickMeasure ? Math.min(5_000, DEFAULT_CACHE_MAX_ENTRIES) : DEFAULT_CACHE_MAX_ENTRIES;
  const bytesPerEntry = await bytesPerCachedSession(entriesMeasured);
  gc();

  const { notarizer, tokens: valid } = await mintTokens(validCount);
  const { tokens: expired } = await mintTokens(validCount, notarizer, -3600);
  const verifier = createSessionVerifier({ trustedOrganizations: [BENCH_ORGANIZATION_ID], notarizerPublicKey: notarizer.publicKey });
  // Token i of a flood: interleaved kinds, every one distinct (forged and malformed ones carry
  // the flood number and index).
  const kindAt = (index: number): "valid" | "expired" | "forged" | "malformed" => {
    if (index % 50 === 0 && index / 50 < validCount) return "valid";
    if (index % 50 === 1 && (index - 1) / 50 < validCount) return "expired";
    return index % 2 === 0 ? "forged" : "malformed";
  };
  const tokenAt = (floodNumber: number, index: number): string => {
    const kind = kindAt(index);
    if (kind === "valid") return valid[index / 50]!;
    if (kind === "expired") return expired[(index - 1) / 50]!;
    const source = valid[index % validCount]!;
    const unique = floodNumber * 100_000_000 + index;
    return kind === "forged" ? forgeToken(source, unique) : malformedToken(source, unique);
  };
  const mix = { valid: 0, expired: 0, forged: 0, malformed: 0 };
  for (let index = 0; index < total; index++) mix[kindAt(index)]++;

  gc();
  const before = snapshot();
  const outcomes: Record<string, number> = {};
  const floods: { peak: MemorySnapshot; after: MemorySnapshot; seconds: number }[] = [];
  for (let floodNumber = 1; floodNumber <= 2; floodNumber++) {
    const started = performance.now();
    let peak = snapshot();
    let next = 0;
    const lane = async () => {
      while (next < total) {
        const index = next++;
        try {
          await verifier.verify(tokenAt(floodNumber, index));
          if (floodNumber === 1) outcomes.accepted = (outcomes.accepted ?? 0) + 1;
        } catch (error) {
          const code = (error as { code?: string }).code ?? "other";
          if (floodNumber === 1) outcomes[code] = (outcomes[code] ?? 0) + 1;
        }
        if (index % 5_000 === 0) {
          const now = snapshot();
          peak = { heapUsed: Math.max(peak.heapUsed, now.heapUsed), rss: Math.max(peak.rss, now.rss) };
        }
      }
    };
    await Promise.all(Array.from({ length: 128 }, lane));
    const seconds = (performance.now() - started) / 1000;
    gc();
    floods.push({ peak, after: snapshot(), seconds });
  }
  return { bytesPerEntry, entriesMeasured, maxEntries: DEFAULT_CACHE_MAX_ENTRIES, forgeryEntries: 1024, flood: total, mix, outcomes, before, floods };
}

/** Runs the memory family in a child process and returns its table. */
export async function runMemory({ quick }: { quick: boolean }): Promise<{ report: MemoryReport; markdown: string }> {
  // This file compiled to plain JavaScript (build.ts), under plain node with a callable gc().
  const child = fork(await bundle("./memory.ts"), ["--child", String(quick ? 40_000 : 1_000_000), String(quick ? 2_000 : 20_000), quick ? "quick" : "full"], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (report: MemoryReport) => resolve({ report, markdown: memoryTable(report) }));
    child.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`memory child exited with ${code}`))));
  });
}

function memoryTable(report: MemoryReport): string {
  const { bytesPerEntry, maxEntries, before, floods } = report;
  const bound = bytesPerEntry * maxEntries;
  const mb = (bytes: number) => `${fmt(bytes / MB, 1)} MB`;
  const delta = (bytes: number) => `${bytes >= 0 ? "+" : ""}${fmt(bytes / MB, 1)} MB`;
  const rows = [["before the floods", mb(before.heapUsed), "", mb(before.rss), ""]];
  floods.forEach(({ peak, after, seconds }, index) => {
    rows.push([`flood ${index + 1}, peak (${fmt(seconds, 1)} s)`, mb(peak.heapUsed), delta(peak.heapUsed - before.heapUsed), mb(peak.rss), delta(peak.rss - before.rss)]);
    rows.push([`flood ${index + 1}, after (full GC)`, mb(after.heapUsed), delta(after.heapUsed - before.heapUsed), mb(after.rss), delta(after.rss - before.rss)]);
  });
  const mix = Object.entries(report.mix).map(([kind, count]) => `${fmt(count)} ${kind}`).join(", ");
  const outcomes = Object.entries(report.outcomes).map(([kind, count]) => `${fmt(count)} ${kind}`).join(", ");
  return [
    `Flood of ${fmt(report.flood)} distinct tokens per run (${mix}); outcomes of flood 1: ${outcomes}.`,
    `Cache bound: ${fmt(bytesPerEntry)} bytes per cached session (measured over ${fmt(report.entriesMeasured)} real tokens) × ${fmt(maxEntries)} entries (DEFAULT_CACHE_MAX_ENTRIES) = **${mb(bound)}**, plus at most ${fmt(report.forgeryEntries)} remembered forgeries and as many expired or foreign tokens (~${mb(report.forgeryEntries * 700)} each).`,
    "",
    table(["moment", "heapUsed", "vs before", "RSS", "vs before"], rows),
  ].join("\n");
}

if (process.argv[2] === "--child") {
  const report = await flood(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] === "quick");
  process.send?.(report);
  process.disconnect?.();
}

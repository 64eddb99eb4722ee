// Timing helpers shared by the benchmark families.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { cpus } from "node:os";

/** Operations per second of a synchronous function, run for about `durationMs`. */
export function rateSync(durationMs: number, op: (index: number) => void): number {
  const end = performance.now() + durationMs;
  let count = 0;
  const started = performance.now();
  let now = started;
  while (now < end) {
    for (let batch = 0; batch < 256; batch++) op(count++);
    now = performance.now();
  }
  return count / ((now - started) / 1000);
}

/** Operations per second of an async operation awaited one at a time. */
export async function rateSequential(durationMs: number, op: (index: number) => Promise<unknown>, batch = 64): Promise<number> {
  const started = performance.now();
  const end = started + durationMs;
  let count = 0;
  let now = started;
  while (now < end) {
    for (let step = 0; step < batch; step++) await op(count++);
    now = performance.now();
  }
  return count / ((now - started) / 1000);
}

/** Operations per second of an async operation with `concurrency` calls in flight. */
export async function rateConcurrent(durationMs: number, concurrency: number, op: (index: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const end = started + durationMs;
  let count = 0;
  async function lane(): Promise<void> {
    while (performance.now() < end) await op(count++);
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  return count / ((performance.now() - started) / 1000);
}

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly node: string;
  readonly openssl: string;
  readonly os: string;
}

export function machine(): Machine {
  const list = cpus();
  let os = `${process.platform} ${process.arch}`;
  try {
    os = execFileSync("uname", ["-srm"], { encoding: "utf8" }).trim();
  } catch {
    // keep the default
  }
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? "unknown",
    node: process.version,
    openssl: process.versions.openssl ?? "unknown",
    os,
  };
}

/** Formats a rate with thousands separators. */
/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A markdown table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Contention: this machine is shared (other engineers run tests and type checks on the same two
// cores). Every measurement records how much CPU the rest of the machine used meanwhile, from
// /proc, so a disturbed figure is retried or flagged instead of silently reported.

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function systemBusyTicks(): number | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return undefined;
  }
}

/**
 * utime + stime of a process (all its threads), in ticks; 0 when it is gone. With
 * `withReapedChildren`, plus the time of its children that have exited and been waited for (so a
 * short-lived child such as `openssl speed` still counts as ours).
 */
export function processTicks(pid: number, withReapedChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const own = Number(fields[11]) + Number(fields[12]);
    return withReapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own;
  } catch {
    return 0;
  }
}

/** This process and every live descendant. */
export function familyPids(root = process.pid): number[] {
  const children = new Map<number, number[]>();
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const list = children.get(parent) ?? [];
        list.push(Number(entry));
        children.set(parent, list);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return [root];
  }
  const family = [root];
  for (let index = 0; index < family.length; index++) family.push(...(children.get(family[index]!) ?? []));
  return family;
}

export interface CpuWindow {
  /** Cores used by processes outside ours during the window (0 = undisturbed). */
  readonly othersCores: number;
  /** Cores used by each watched pid (all its threads) during the window. */
  readonly coresByPid: ReadonlyMap<number, number>;
  /** Cores used by each watched pid's main thread (its JavaScript event loop) alone. */
  readonly mainThreadCoresByPid: ReadonlyMap<number, number>;
}

/** utime + stime of a process's main thread only (Linux: the task whose id is the pid). */
function mainThreadTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Starts watching CPU use; `stop()` reports it. Pids default to this process and its descendants. */
export function watchCpu(pids: () => readonly number[] = () => familyPids()): { stop(): CpuWindow } {
  const startedAt = performance.now();
  const busyBefore = systemBusyTicks();
  const ticksOf = (pid: number) => processTicks(pid, pid === process.pid);
  const watched = new Map(pids().map((pid) => [pid, ticksOf(pid)]));
  const mainBefore = new Map([...watched.keys()].map((pid) => [pid, mainThreadTicks(pid)]));
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      const busyAfter = systemBusyTicks();
      for (const pid of pids()) if (!watched.has(pid)) watched.set(pid, 0);
      const coresByPid = new Map<number, number>();
      const mainThreadCoresByPid = new Map<number, number>();
      let oursTicks = 0;
      for (const [pid, before] of watched) {
        const used = Math.max(0, ticksOf(pid) - before);
        oursTicks += used;
        coresByPid.set(pid, used / TICKS_PER_SECOND / seconds);
        const mainUsed = Math.max(0, mainThreadTicks(pid) - (mainBefore.get(pid) ?? 0));
        mainThreadCoresByPid.set(pid, mainUsed / TICKS_PER_SECOND / seconds);
      }
      const othersCores =
        busyBefore === undefined || busyAfter === undefined ? 0 : Math.max(0, (busyAfter - busyBefore - oursTicks) / TICKS_PER_SECOND / seconds);
      return { othersCores, coresByPid, mainThreadCoresByPid };
    },
  };
}

/** Above this many cores used by others, a figure counts as disturbed. */
export const CONTENTION_LIMIT_CORES = 0.15;

/**
 * Epoch milliseconds after which disturbed figures are no longer retried (keeps the full run
 * under ten minutes): from BENCH_DEADLINE, which run.ts sets for itself and its children.
 */
function retriesAllowed(): boolean {
  const deadline = Number(process.env.BENCH_DEADLINE);
  return !(deadline > 0) || Date.now() < deadline;
}

/**
 * Runs `measure` until a run is undisturbed (others used < {@link CONTENTION_LIMIT_CORES}) or
 * `attempts` runs are spent, and returns the least disturbed run.
 */
export async function undisturbed<T>(
  measure: () => Promise<T> | T,
  attempts = 3,
  pids?: () => readonly number[],
): Promise<{ value: T; window: CpuWindow; attempts: number }> {
  let best: { value: T; window: CpuWindow; attempts: number } | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const watch = watchCpu(pids);
    const value = await measure();
    const window = watch.stop();
    if (best === undefined || window.othersCores < best.window.othersCores) best = { value, window, attempts: attempt };
    if (window.othersCores < CONTENTION_LIMIT_CORES || !retriesAllowed()) break;
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 1000)); // let the disturbance pass
  }
  return best!;
}

/** A note for a disturbed figure, or "". */
export function contentionNote(window: CpuWindow): string {
  return window.othersCores >= CONTENTION_LIMIT_CORES ? ` ⚠ disturbed: other processes used ${fmt(window.othersCores, 2)} cores` : "";
}

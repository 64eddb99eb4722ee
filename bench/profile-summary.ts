// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function, and optionally
// inclusive (total) time of the functions whose location matches a pattern.
// Usage: tsx bench/profile-summary.ts <file.cpuprofile>... [--top=25] [--inclusive=src/]
// (node --cpu-prof writes one file per thread: the main thread's, the largest, is summarised.)
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const option = (name: string) => process.argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
const top = Number(option("top") ?? 25);
const inclusivePattern = option("inclusive");
const files = process.argv.slice(2).filter((argument) => !argument.startsWith("--"));
if (files.length === 0) throw new Error("usage: profile-summary <file.cpuprofile>... [--top=25] [--inclusive=src/]");
const profiles = files.map((name) => JSON.parse(readFileSync(name, "utf8")) as Profile);
const profile = profiles.reduce((largest, candidate) => (candidate.samples.length > largest.samples.length ? candidate : largest));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

function nameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const where = url === "" ? "" : ` ${url.replace(/^.*\/(node_modules\/|src\/|bench\/|examples\/)/, "$1")}:${lineNumber + 1}:${columnNumber + 1}`;
  return `${functionName || "(anonymous)"}${where}`;
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const node = byId.get(id);
  if (node === undefined) return;
  const delta = profile.timeDeltas[index] ?? 0;
  total += delta;
  const name = nameOf(node);
  self.set(name, (self.get(name) ?? 0) + delta);
  if (inclusivePattern === undefined) return;
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const frame = byId.get(current)!;
    if (!frame.callFrame.url.includes(inclusivePattern)) continue;
    const frameName = nameOf(frame);
    if (seen.has(frameName)) continue;
    seen.add(frameName);
    inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + delta);
  }
});

const print = (title: string, entries: Map<string, number>) => {
  console.log(title);
  for (const [name, micros] of [...entries.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
};
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms`);
print("self time:", self);
if (inclusivePattern !== undefined) print(`inclusive time, frames matching "${inclusivePattern}":`, inclusive);

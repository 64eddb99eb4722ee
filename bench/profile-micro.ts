// Profiles ours cold on one CPU: the compiled micro benchmark's pinned child (taskset -c 0) under
// `node --cpu-prof`, then prints where the time went.
// Usage: tsx bench/profile-micro.ts [milliseconds=4000]
// Writes bench/profiles/micro-cold-single-core/*.cpuprofile.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundle } from "./build.js";

const milliseconds = process.argv[2] ?? "4000";
const directory = fileURLToPath(new URL("./profiles/micro-cold-single-core", import.meta.url));
rmSync(directory, { recursive: true, force: true });
mkdirSync(directory, { recursive: true });
const script = await bundle("./micro.ts");
const answer = execFileSync("taskset", ["-c", "0", process.execPath, "--cpu-prof", `--cpu-prof-dir=${directory}`, script, "--pinned-cold", milliseconds, "1"], {
  encoding: "utf8",
});
console.log(`ours cold, one CPU: ${answer.trim()}`);
const files = readdirSync(directory).map((name) => `${directory}/${name}`);
const summary = fileURLToPath(new URL("./profile-summary.ts", import.meta.url));
console.log(execFileSync(process.execPath, [...process.execArgv, summary, ...files, "--top=25", "--inclusive=/work/"], { encoding: "utf8" }));

// Packs the package as npm would and runs publint and Are the Types Wrong on the tarball, so
// what users install (ESM and CJS, with their own type files) is what is checked.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const directory = mkdtempSync(join(tmpdir(), "turnkey-session-auth-pack-"));
const run = (command, args) => execFileSync(command, args, { stdio: "inherit" });
try {
  run("npm", ["pack", "--silent", "--pack-destination", directory]);
  const tarball = join(directory, readdirSync(directory).find((name) => name.endsWith(".tgz")));
  run("npx", ["--no-install", "publint", "run", tarball, "--strict"]);
  run("npx", ["--no-install", "attw", tarball, "--profile", "node16"]);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

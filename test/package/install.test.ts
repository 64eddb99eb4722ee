// Installs the library as a user without a registry release would: from a fresh clone of HEAD,
// packed (`prepack` builds) into a tarball, and straight from git (`prepare` builds), each into a
// scratch app; then imports every subpath from ESM and CJS, and compiles a TypeScript app with
// NestJS's default `"module": "commonjs"` (node10 resolution, served by "typesVersions").
// Offline-capable: every dependency comes from the npm cache the project's own install filled.
// The git install installs all the dev dependencies and builds again (minutes on a busy machine):
// it runs in CI (CI set, as .ci/run does) or with TURNKEY_SESSION_AUTH_GIT_INSTALL=1.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
const subpaths = Object.keys(manifest.exports).filter((key) => key !== "./package.json");
const specifiers = subpaths.map((key) => (key === "." ? "turnkey-session-auth" : `turnkey-session-auth/${key.slice(2)}`));
const versionOf = (name: string) => (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
// The optional peers some subpaths load at run time (hono: the Hono adapter; @turnkey/crypto: flows,
// testing; Nest's packages: the NestJS adapter).
const peers = ["hono", "@turnkey/crypto", "@nestjs/common", "@nestjs/core", "reflect-metadata", "rxjs"].map((name) => `${name}@${versionOf(name)}`);
const npmFlags = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

const installFromGit = process.env.CI !== undefined || process.env.TURNKEY_SESSION_AUTH_GIT_INSTALL === "1";
const work = mkdtempSync(join(tmpdir(), "turnkey-session-auth-install-"));
const clone = join(work, "clone");

/** Prints, for each subpath, the sorted names it exports, loaded one way (ESM import or CJS require). */
const loader = (format: "esm" | "cjs") => `
${format === "esm" ? "" : "const load = (specifier) => Promise.resolve(require(specifier));"}
const specifiers = ${JSON.stringify(specifiers)};
const result = {};
for (const specifier of specifiers) result[specifier] = Object.keys(await ${format === "esm" ? "import" : "load"}(specifier)).sort();
console.log(JSON.stringify(result));
`;

async function scratchApp(name: string, install: string[]): Promise<string> {
  const directory = join(work, name);
  mkdirSync(directory);
  writeFileSync(join(directory, "package.json"), JSON.stringify({ name, private: true }));
  await run("npm", ["install", ...npmFlags, ...install, ...peers], { cwd: directory });
  writeFileSync(join(directory, "load.mjs"), loader("esm"));
  writeFileSync(join(directory, "load.cjs"), `(async () => {${loader("cjs")}})();`);
  return directory;
}

async function exportsOf(app: string, file: string): Promise<Record<string, string[]>> {
  const { stdout } = await run(process.execPath, [file], { cwd: app });
  return JSON.parse(stdout) as Record<string, string[]>;
}

async function expectEverySubpathLoads(app: string): Promise<void> {
  const esm = await exportsOf(app, "load.mjs");
  const cjs = await exportsOf(app, "load.cjs");
  expect(Object.keys(esm)).toEqual(specifiers);
  for (const specifier of specifiers) expect(esm[specifier]!.length, specifier).toBeGreaterThan(0);
  expect(cjs).toEqual(esm);
  expect(esm["turnkey-session-auth/express"]).toEqual(["sessionOf", "turnkeyAuth"]);
}

let fromTarball: string;
let fromGit: string;

beforeAll(async () => {
  await run("git", ["clone", "--quiet", root, clone]);
  // Packing runs `prepack` (the build) in the clone, with the project's already installed tools.
  symlinkSync(join(root, "node_modules"), join(clone, "node_modules"));
  const packed = run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: clone }).then(({ stdout }) => join(work, stdout.trim().split("\n").at(-1)!));
  // From git, npm clones again, installs the dev dependencies and runs `prepare` itself.
  const git = installFromGit ? scratchApp("from-git", [`git+file://${clone}`]) : undefined;
  fromTarball = await scratchApp("from-tarball", [await packed]);
  if (git !== undefined) fromGit = await git;
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

describe("installing the package without a registry release", () => {
  it("from a packed tarball, every subpath loads from ESM and CJS with the same exports", () => expectEverySubpathLoads(fromTarball));

  it.skipIf(!installFromGit)("from a git+file URL (prepare builds), every subpath loads from ESM and CJS with the same exports", () => expectEverySubpathLoads(fromGit));

  it("installs no @turnkey/crypto unless the app asks for it (an optional peer)", () => {
    const installed = JSON.parse(readFileSync(join(fromTarball, "node_modules", "turnkey-session-auth", "package.json"), "utf8")) as Record<string, Record<string, unknown>>;
    expect(installed.dependencies).not.toHaveProperty("@turnkey/crypto");
    expect(installed.peerDependenciesMeta!["@turnkey/crypto"]).toEqual({ optional: true });
  });

  it('compiles under TypeScript with "module": "commonjs" (node10 resolution, NestJS\'s default tsconfig)', async () => {
    const app = fromTarball;
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "commonjs", target: "ES2021", strict: true, skipLibCheck: true, noEmit: true, types: [] }, files: ["app.ts"] }),
    );
    writeFileSync(
      join(app, "app.ts"),
      [
        'import { turnkeyAuth } from "turnkey-session-auth/express";',
        ...specifiers.map((specifier, index) => `import * as entry${index} from "${specifier}";`),
        `export const entries = [${specifiers.map((_, index) => `entry${index}`).join(", ")}];`,
        'export const middleware = turnkeyAuth({ trustedOrganizations: ["org-id"] });',
        // Types, not `any`: a wrong option is an error (an unused @ts-expect-error would be one too).
        "// @ts-expect-error trustedOrganizations is not a number",
        "turnkeyAuth({ trustedOrganizations: 42 });",
      ].join("\n"),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const compiled = await run(process.execPath, [tsc, "-p", app]).then(() => "", (error: { stdout: string }) => error.stdout);
    expect(compiled).toBe("");
  });
});

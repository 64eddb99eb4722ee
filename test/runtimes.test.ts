// The library where the docs say it runs: on Bun, Deno and workerd (Cloudflare Workers' runtime),
// each the registry package's binary. Per runtime: its example (examples/bun, examples/deno,
// examples/worker, over examples/fetch/app.ts) with a minted token and refusals, and the probe
// (./helpers/runtimes/probe.ts): the core and the Hono adapter with a minted token and a refusal, and the
// real production token (expired: an injected clock) through the fetch adapter, Hono and the core.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNotarizer, type TestNotarizer } from "../src/testing/index.js";
import type { ProbeConfig } from "./helpers/runtimes/probe.js";
import { binaryOf, start, type Runtime, type Started } from "./helpers/runtimes/start.js";

const FIXTURE_FILES = ["fixtures/turnkey-upstream-tokens.json", "../../shared/fixtures/turnkey-upstream-tokens.json"].map((path) => fileURLToPath(new URL(path, import.meta.url)));
const fixtureFile = FIXTURE_FILES.find((path) => existsSync(path));
const production = fixtureFile === undefined ? undefined : (JSON.parse(readFileSync(fixtureFile, "utf8")) as {
  sessionJwt: { token: string; claims: { exp: number; user_id: string; organization_id: string } };
}).sessionJwt;

const notarizer: TestNotarizer = createTestNotarizer();
const probeConfig: ProbeConfig = {
  notarizerPublicKey: notarizer.publicKey,
  ...(production === undefined ? {} : { production: { organizationId: production.claims.organization_id, nowMs: production.claims.exp * 1000 - 60_000 } }),
};
const exampleEnv = { TURNKEY_TRUSTED_ORGANIZATIONS: "org-1", TURNKEY_NOTARIZER_PUBLIC_KEY: notarizer.publicKey, PORT: "0" };

// workerd serves bundles: esbuild builds each Worker as wrangler would (ESM, the workerd conditions).
async function workerdConfig(directory: string, entry: string, bindings: Record<string, string>): Promise<string> {
  const name = entry.replace(/\W/g, "_");
  await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", conditions: ["workerd", "worker", "browser"], outfile: join(directory, `${name}.js`), logLevel: "warning" });
  const text = Object.entries(bindings).map(([key, value]) => `(name = ${JSON.stringify(key)}, text = ${JSON.stringify(value)})`).join(", ");
  const config = join(directory, `${name}.capnp`);
  writeFileSync(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "${name}.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ ${text} ],
);
`);
  return config;
}

const DENO_FLAGS = ["run", "--allow-env", "--allow-net", "--allow-read", "--sloppy-imports", "--no-lock", "--no-prompt"];

/** How to start the example and the probe on each runtime. */
const LAUNCH: Record<Runtime, (binary: string, directory: string) => Promise<[Started, Started]>> = {
  bun: (bun) => Promise.all([start(bun, ["examples/bun/server.ts"], exampleEnv), start(bun, ["test/helpers/runtimes/bun.ts"], { PROBE_CONFIG: JSON.stringify(probeConfig) })]),
  deno: (deno) => Promise.all([
    start(deno, [...DENO_FLAGS, "examples/deno/server.ts"], exampleEnv),
    start(deno, [...DENO_FLAGS, "test/helpers/runtimes/deno.ts"], { PROBE_CONFIG: JSON.stringify(probeConfig) }),
  ]),
  workerd: async (workerd, directory) => {
    const { PORT: _, ...bindings } = exampleEnv;
    const [example, probe] = await Promise.all([
      workerdConfig(directory, "examples/worker/worker.ts", bindings),
      workerdConfig(directory, "test/helpers/runtimes/worker.ts", { PROBE_CONFIG: JSON.stringify(probeConfig) }),
    ]);
    return Promise.all([start(workerd, ["serve", example, "--verbose"]), start(workerd, ["serve", probe, "--verbose"])]);
  },
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(Object.keys(LAUNCH) as Runtime[])("on %s", (runtime) => {
  const binary = binaryOf(runtime);
  // CI must run them; elsewhere a platform without these binaries skips.
  const skip = binary === undefined && process.env.CI === undefined;
  let example: Started;
  let probe: Started;
  let directory: string;

  beforeAll(async () => {
    if (skip) return;
    if (binary === undefined) throw new Error(`the ${runtime} binary is not in node_modules (npm ci installs it)`);
    directory = mkdtempSync(join(tmpdir(), `turnkey-session-auth-${runtime}-`));
    [example, probe] = await LAUNCH[runtime](binary, directory);
  }, 60_000);

  afterAll(() => {
    example?.stop();
    probe?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it.skipIf(skip)("the example answers a minted token with its session, and refuses no token (401) and another organization (403)", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" });
    const me = await example.fetch("/me", bearer(token));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ userId: "user-1", organizationId: "org-1", sessionType: "SESSION_TYPE_READ_WRITE" });
    const missing = await example.fetch("/me");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="turnkey"');
    expect(await missing.json()).toEqual({ error: "missing_token", message: "No session token was presented" });
    const elsewhere = await example.fetch("/orgs/org-2/wallets", bearer(token));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get("www-authenticate")).toMatch(/^Bearer realm="turnkey", error="insufficient_scope"/);
    expect((await example.fetch("/orgs/org-1/wallets", bearer(token))).status).toBe(200);
  });

  it.skipIf(skip)("the Hono adapter and the core accept a minted token and refuse a stranger's", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" });
    const forged = await createTestNotarizer().sign({ organization_id: "org-1", user_id: "user-1" });
    for (const app of ["hono", "core"]) {
      const granted = await probe.fetch(`/${app}/me`, bearer(token));
      expect(granted.status, app).toBe(200);
      expect(await granted.json()).toEqual({ userId: "user-1", organizationId: "org-1" });
      const refused = await probe.fetch(`/${app}/me`, bearer(forged));
      expect(refused.status, app).toBe(401);
      expect(await refused.json()).toMatchObject({ error: "invalid_signature" });
    }
  });

  it.skipIf(skip || production === undefined)("a real production token verifies under Turnkey's key (clock before its expiry) in the fetch adapter, Hono and the core", async () => {
    const { token, claims } = production!;
    for (const app of ["production-fetch", "production-hono", "production-core"]) {
      const response = await probe.fetch(`/${app}/me`, bearer(token));
      expect(response.status, app).toBe(200);
      expect(await response.json()).toMatchObject({ userId: claims.user_id, organizationId: claims.organization_id });
    }
    const tampered = `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    expect((await probe.fetch("/production-fetch/me", bearer(tampered))).status).toBe(401);
  });
});

// examples/nextjs on the registry's Next.js: the library built from this checkout, `next build`,
// then `next start` on a loopback port. Route handlers made with withTurnkeySession and proxy.ts
// guarding /protected, with a minted token, refusals, and the real production token (expired: the
// second server's clock is moved back by ./runtimes/shift-clock.mjs).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNotarizer } from "../src/testing/index.js";
import { start, type Started } from "./helpers/runtimes/start.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NEXT = fileURLToPath(new URL("../node_modules/next/dist/bin/next", import.meta.url));
const FIXTURE_FILES = ["fixtures/turnkey-upstream-tokens.json", "../../shared/fixtures/turnkey-upstream-tokens.json"].map((path) => fileURLToPath(new URL(path, import.meta.url)));
const fixtureFile = FIXTURE_FILES.find((path) => existsSync(path));
const production = fixtureFile === undefined ? undefined : (JSON.parse(readFileSync(fixtureFile, "utf8")) as {
  sessionJwt: { token: string; claims: { exp: number; user_id: string; organization_id: string } };
}).sessionJwt;

const notarizer = createTestNotarizer();
const env = {
  NEXT_TELEMETRY_DISABLED: "1",
  TURNKEY_TRUSTED_ORGANIZATIONS: ["org-1", ...(production === undefined ? [] : [production.claims.organization_id])].join(","),
  TURNKEY_NOTARIZER_PUBLIC_KEY: notarizer.publicKey,
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("examples/nextjs on Next.js (next build, next start)", () => {
  let server: Started;
  let productionServer: Started;

  beforeAll(async () => {
    // The package as next.config.ts aliases it: ESM, dependencies left to Next to resolve, as installed.
    await build({
      entryPoints: { index: "src/index.ts", fetch: "src/adapters/fetch.ts" },
      bundle: true, splitting: true, format: "esm", platform: "neutral", packages: "external",
      outdir: "examples/nextjs/.library", absWorkingDir: ROOT, logLevel: "warning",
    });
    await promisify(execFile)(process.execPath, [NEXT, "build", "examples/nextjs"], {
      cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024,
    });
    const next = (extra: Record<string, string>) => start(process.execPath, [NEXT, "start", "examples/nextjs", "-p", "0", "-H", "127.0.0.1"], { ...env, ...extra });
    // A second server for the production token: Turnkey's key (the default), its clock a minute before the token's expiry.
    const offset = production === undefined ? 0 : production.claims.exp * 1000 - 60_000 - Date.now();
    [server, productionServer] = await Promise.all([
      next({}),
      next({
        TURNKEY_NOTARIZER_PUBLIC_KEY: "",
        CLOCK_OFFSET_MS: String(offset),
        NODE_OPTIONS: `--import ${fileURLToPath(new URL("runtimes/shift-clock.mjs", import.meta.url))}`,
      }),
    ]);
  }, 180_000);

  afterAll(() => {
    server?.stop();
    productionServer?.stop();
  });

  it("a route handler (withTurnkeySession) answers a minted token with its session and refuses none with the challenge", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" }, { expiresInSeconds: 600 });
    const me = await server.fetch("/api/me", bearer(token));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ userId: "user-1", organizationId: "org-1" });
    const missing = await server.fetch("/api/me");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="turnkey"');
    expect(await missing.json()).toEqual({ error: "missing_token", message: "No session token was presented" });
    const forged = await server.fetch("/api/me", bearer(await createTestNotarizer().sign({ organization_id: "org-1" })));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: "invalid_signature" });
  });

  it("a route policy reads Next.js's params: the own organization passes, another is 403", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" }, { expiresInSeconds: 600 });
    expect((await server.fetch("/api/orgs/org-1/wallets", bearer(token))).status).toBe(200);
    const elsewhere = await server.fetch("/api/orgs/org-2/wallets", bearer(token));
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.json()).toMatchObject({ error: "forbidden", message: expect.stringContaining("organizationFromParam(orgId)") });
  });

  it("proxy.ts guards /protected: refuses without a session, and hands on its user, not the one a client claims", async () => {
    const refused = await server.fetch("/protected/profile", { "x-turnkey-user-id": "admin" });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: "missing_token" });
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" }, { expiresInSeconds: 600 });
    const admitted = await server.fetch("/protected/profile", { ...bearer(token), "x-turnkey-user-id": "admin" });
    expect(admitted.status).toBe(200);
    expect(await admitted.json()).toEqual({ userId: "user-1" });
  });

  it.skipIf(production === undefined)("a real production token verifies under Turnkey's key, in a route handler and in the proxy", async () => {
    const { token, claims } = production!;
    const me = await productionServer.fetch("/api/me", bearer(token));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ userId: claims.user_id, organizationId: claims.organization_id });
    const profile = await productionServer.fetch("/protected/profile", bearer(token));
    expect(await profile.json()).toEqual({ userId: claims.user_id });
    // The test notarizer's tokens are not Turnkey's.
    const minted = await productionServer.fetch("/api/me", bearer(await notarizer.sign({ organization_id: "org-1" })));
    expect(await minted.json()).toMatchObject({ error: "invalid_signature" });
  });
});

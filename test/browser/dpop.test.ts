// DPoP in real Chromium (issue 18): the page's @turnkey/core holds the session key in IndexedDB and
// signs each request's proof with signWithApiKey; an Express backend requiring DPoP accepts it, and
// refuses the same token copied without the key. Without Chromium it fails in CI and skips elsewhere.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { listen, type LiveServer } from "../helpers/adapters/http.js";
import { CHROMIUM_PATH, launchChromium, type Chromium } from "../helpers/browser/chromium.js";

const notarizer = createTestNotarizer();
let server: LiveServer | undefined;
let browser: Chromium | undefined;
let unavailable: string | undefined;
let launchFailure: Error | undefined;

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../helpers/browser/dpop-page.ts", import.meta.url))],
    bundle: true, format: "esm", platform: "browser", target: "es2022", define: { global: "globalThis" },
    minify: true, legalComments: "none", logLevel: "silent", write: false,
  });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  try {
    browser = await launchChromium();
  } catch (error) {
    const reason = `Chromium (${CHROMIUM_PATH}) did not start: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    if (process.env.CI) launchFailure = new Error(reason, { cause: error });
    else unavailable = reason;
    return;
  }
  const script = await bundlePage();
  const app = express();
  let auth: ReturnType<typeof turnkeyAuth> | undefined;
  app.get("/", (_req, res) => res.type("html").send('<!doctype html><script type="module" src="/page.js"></script>'));
  app.get("/page.js", (_req, res) => res.type("js").send(script));
  app.get("/me", (req, res, next) => auth!(req, res, next), (req, res) => res.json({ userId: req.turnkey!.userId }));
  server = await listen(app);
  // localhost: a secure context, where the page has WebCrypto and IndexedDB keys.
  auth = turnkeyAuth({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, dpop: "required", dpopOptions: { origin: `http://localhost:${server.port}` } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("DPoP in Chromium with @turnkey/core's session key", () => {
  it("signWithApiKey signs proofs the backend accepts; the copied token is refused without the key", async (context) => {
    if (launchFailure !== undefined) throw launchFailure;
    if (unavailable !== undefined) context.skip(unavailable);
    const page = await browser!.context.newPage();
    await page.goto(`http://localhost:${server!.port}/`);
    await page.waitForFunction(() => document.title === "ready", undefined, { timeout: 20_000 });
    const publicKey = await page.evaluate(() => (globalThis as unknown as { createSessionKey(): Promise<string> }).createSessionKey());
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1", public_key: publicKey });
    const call = (path: string) => page.evaluate(
      ([path, token, publicKey]) => (globalThis as unknown as { callWithProof(...args: string[]): Promise<{ status: number; body: unknown }> }).callWithProof(path, token, publicKey),
      [path, token, publicKey] as const,
    );
    expect(await call("/me")).toEqual({ status: 200, body: { userId: "user-1" } });
    expect(await call("/me?second=1")).toEqual({ status: 200, body: { userId: "user-1" } });
    const copied = await fetch(`http://localhost:${server!.port}/me`, { headers: { authorization: `DPoP ${token}` } });
    expect([copied.status, ((await copied.json()) as { error: string }).error]).toEqual([401, "invalid_dpop_proof"]);
  }, 60_000);
});

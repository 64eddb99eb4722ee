// examples/web without a browser: what its backend serves, and `npm run demo:web` starting up.
// The flows themselves run in Chromium: test/browser/web-demo.test.ts.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebDemo, type WebDemo } from "../examples/web/server.js";

let demo: WebDemo;
beforeAll(async () => {
  demo = await startWebDemo({ port: 0 });
}, 30_000);
afterAll(async () => {
  await demo?.close();
});

async function get(path: string): Promise<Response> {
  return fetch(`${demo.url}${path}`);
}

describe("examples/web backend", () => {
  it("serves the page on http://localhost, its script, and a CSP allowing only itself and Turnkey's API", async () => {
    expect(demo.url).toMatch(/^http:\/\/localhost:\d+$/);
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    expect(page.headers.get("content-security-policy")).toBe(
      `default-src 'self'; connect-src 'self' ${demo.emulator.apiBaseUrl}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    );
    const script = await get("/app.js");
    expect(script.headers.get("content-type")).toMatch(/^application\/javascript|^text\/javascript/);
    // @turnkey/core is in the bundle (its error codes are strings that survive minifying).
    expect(await script.text()).toContain("PASSKEY_LOGIN_AUTH_ERROR");
    expect((await get("/style.css")).status).toBe(200);
  });

  it("gives the page the emulator's URL, the parent organization and the OTP signer key; no secret", async () => {
    const config = (await (await get("/config.json")).json()) as Record<string, unknown>;
    expect(config).toEqual({
      apiBaseUrl: demo.emulator.apiBaseUrl,
      parentOrganizationId: demo.emulator.parentOrganizationId,
      otpSignerPublicKey: demo.emulator.otpSignerPublicKey,
    });
    expect(JSON.stringify(config)).not.toContain(demo.emulator.apiKey.privateKey);
  });

  it("reads the emulator's inbox only for an email the code was sent to (demo only)", async () => {
    expect((await get("/demo-only/otp-inbox?contact=nobody%40example.com")).status).toBe(404);
    expect((await get("/demo-only/otp-inbox")).status).toBe(404);
    const init = await fetch(`${demo.url}/auth/otp-init`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ otpType: "OTP_TYPE_EMAIL", contact: "lin@example.com" }),
    });
    expect(init.status).toBe(200);
    const inbox = await get("/demo-only/otp-inbox?contact=lin%40example.com");
    expect(await inbox.json()).toEqual({ code: demo.emulator.lastOtp("lin@example.com") });
  });

  it("keeps the Express example's protected routes: 401 without a session", async () => {
    const me = await get("/me");
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: "missing_token" });
  });

  it("requires DPoP on the protected routes: a bare token is refused before it is even verified", async () => {
    for (const path of ["/me", "/orgs/any-org/wallets"]) {
      const bearer = await fetch(`${demo.url}${path}`, { headers: { authorization: "Bearer a.copied.token" } });
      expect([bearer.status, ((await bearer.json()) as { error: string }).error]).toEqual([401, "dpop_required"]);
      expect(bearer.headers.get("www-authenticate")).toMatch(/^DPoP realm="turnkey".*algs="ES256"/);
      const unproven = await fetch(`${demo.url}${path}`, { headers: { authorization: "DPoP a.copied.token" } });
      expect([unproven.status, ((await unproven.json()) as { error: string }).error]).toEqual([401, "invalid_dpop_proof"]);
    }
  });

  it("has the emulator allow the page's origin (CORS), and no other", async () => {
    const preflight = (origin: string) =>
      fetch(`${demo.emulator.apiBaseUrl}/public/v1/submit/stamp_login`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, x-stamp-webauthn" },
      });
    expect((await preflight(demo.url)).headers.get("access-control-allow-origin")).toBe(demo.url);
    expect((await preflight("http://localhost:1")).headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("npm run demo:web", () => {
  it("starts the emulator and the backend, and prints the page's http://localhost URL", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/web/server.ts"], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    try {
      while (!/Open (http:\/\/localhost:\d+) /.test(output)) {
        const exited = await Promise.race([once(child.stdout, "data").then(() => false), once(child, "exit").then(() => true)]);
        if (exited) throw new Error(`demo:web exited before printing its URL:\n${output}`);
      }
      const url = /Open (http:\/\/localhost:\d+) /.exec(output)?.[1] as string;
      expect((await fetch(url)).status).toBe(200);
      expect(output).toMatch(/Turnkey emulator on http:\/\/127\.0\.0\.1:\d+/);
      // Each OTP code the emulator "sends" is printed, as a mailbox would show it.
      const init = await fetch(`${url}/auth/otp-init`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ otpType: "OTP_TYPE_EMAIL", contact: "kay@example.com" }),
      });
      expect(init.status).toBe(200);
      while (!output.includes('Code "sent" to kay@example.com: ')) await once(child.stdout, "data");
    } finally {
      child.kill();
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    }
    expect(child.exitCode).toBe(0);
  }, 30_000);
});

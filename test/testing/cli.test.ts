// `npx turnkey-session-auth emulator` (`npm run emulator`): spawned as a process, it prints what a
// backend and a frontend need, which works, and each OTP code as it is sent, never a session token.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Turnkey } from "@turnkey/sdk-server";
import { afterEach, describe, expect, it } from "vitest";
import { createTestClientKey } from "../../src/testing/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = ["--import", "tsx", "src/testing/cli.ts"];

let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill("SIGKILL");
  child = undefined;
});

/** Runs the CLI to its end: its exit status and output. */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr });
    });
  });
}

/** Starts the CLI; resolves with a reader of its output once it has printed its banner. */
async function start(args: string[]) {
  const process_ = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT });
  child = process_;
  let stdout = "";
  let stderr = "";
  process_.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  process_.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const until = (pattern: RegExp, what: string) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const match = stdout.match(pattern);
        if (match !== null) {
          clearInterval(poll);
          resolve(match);
        } else if (process_.exitCode !== null || Date.now() - started > 15_000) {
          clearInterval(poll);
          reject(new Error(`no ${what} in the CLI's output: ${stdout}${stderr}`));
        }
      }, 20);
    });
  await until(/Ctrl\+C stops the emulator/, "banner");
  const value = (name: string) => (stdout.match(new RegExp(`^${name}=(.*)$`, "m")) ?? [])[1] as string;
  return { process: process_, until, value, output: () => stdout + stderr };
}

describe("turnkey-session-auth emulator", () => {
  it("prints a working environment and each OTP code, never a session, and stops on SIGTERM", async () => {
    const cli = await start(["emulator", "--port", "0", "--auth-proxy-config-id", "cli-config"]);
    const apiBaseUrl = cli.value("TURNKEY_API_BASE_URL");
    expect(apiBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.value("TURNKEY_AUTH_PROXY_URL")).toBe(apiBaseUrl);
    expect(cli.value("TURNKEY_AUTH_PROXY_CONFIG_ID")).toBe("cli-config");
    expect(cli.value("TURNKEY_NOTARIZER_PUBLIC_KEY")).toMatch(/^04[0-9a-f]{128}$/);
    expect(cli.value("TURNKEY_OTP_SIGNER_PUBLIC_KEY")).toMatch(/^04[0-9a-f]{128}$/);
    expect(cli.output()).toContain("CORS: pages on localhost, 127.0.0.1 or [::1] (any port) may call it.");

    // The printed API key is the parent organization's.
    const client = new Turnkey({
      apiBaseUrl,
      apiPublicKey: cli.value("TURNKEY_API_PUBLIC_KEY"),
      apiPrivateKey: cli.value("TURNKEY_API_PRIVATE_KEY"),
      defaultOrganizationId: cli.value("TURNKEY_ORGANIZATION_ID"),
    }).apiClient();
    expect((await client.getWhoami()).organizationId).toBe(cli.value("TURNKEY_ORGANIZATION_ID"));

    // An OTP through the printed Auth Proxy: its code is printed, and logs in.
    const proxy = async (path: string, body: unknown) => {
      const response = await fetch(`${apiBaseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-auth-proxy-config-id": "cli-config" }, body: JSON.stringify(body) });
      return (await response.json()) as Record<string, string>;
    };
    const email = "cli@example.com";
    await proxy("/v1/signup_v2", { userName: "cli", userEmail: email, apiKeys: [], authenticators: [], oauthProviders: [] });
    const { otpId, otpEncryptionTargetBundle } = await proxy("/v1/otp_init_v2", { otpType: "OTP_TYPE_EMAIL", contact: email });
    const [, code] = await cli.until(/^OTP sent to cli@example\.com \(email\): (\d{6})$/m, "OTP line");
    const key = createTestClientKey();
    const encryptedOtpBundle = await key.encryptOtpCode(code as string, otpEncryptionTargetBundle as string, cli.value("TURNKEY_OTP_SIGNER_PUBLIC_KEY"));
    const { verificationToken } = await proxy("/v1/otp_verify_v2", { otpId, encryptedOtpBundle });
    const organizationId = (await proxy("/v1/account", { filterType: "EMAIL", filterValue: email, verificationToken: verificationToken as string })).organizationId;
    expect(organizationId).toBeUndefined(); // the sign-up did not verify the email
    const { session } = await proxy("/v1/otp_login_v2", {
      verificationToken,
      publicKey: key.publicKey,
      clientSignature: key.signLogin(verificationToken as string),
      organizationId: (await client.getSubOrgIds({ filterType: "EMAIL", filterValue: email })).organizationIds[0],
    });
    expect(session).toMatch(/^eyJ/);
    expect(cli.output()).not.toContain(session as string);
    expect(cli.output()).not.toMatch(/eyJ[\w-]+\.[\w-]+/);

    const exited = new Promise<number | null>((resolve) => cli.process.on("exit", (status) => resolve(status)));
    cli.process.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("allows the origins given, and refuses bad arguments", async () => {
    const cli = await start(["emulator", "--port", "0", "--allow-origin", "http://localhost:5173"]);
    expect(cli.output()).toContain("CORS: http://localhost:5173 may call it.");
    const response = await fetch(`${cli.value("TURNKEY_API_BASE_URL")}/x`, { method: "OPTIONS", headers: { origin: "http://localhost:3000" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();

    // Each refused before the emulator listens (no port is taken).
    const [help, unknown, badPort, badOrigin] = await Promise.all([["--help"], ["bogus"], ["emulator", "--port", "abc"], ["emulator", "--port", "0", "--allow-origin", "localhost"]].map(run));
    expect(help).toMatchObject({ status: 0, stdout: expect.stringContaining("Usage: turnkey-session-auth emulator [options]") });
    expect(unknown).toMatchObject({ status: 2, stderr: expect.stringContaining("Unknown command: bogus") });
    expect(badPort).toMatchObject({ status: 1, stderr: expect.stringContaining("--port must be a whole number") });
    expect(badOrigin).toMatchObject({ status: 1, stderr: expect.stringContaining("cors.allowedOrigins") });
  });
});

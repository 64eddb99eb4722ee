// Two example servers (Express and Fastify), two processes, one redis-server: a logout through one
// is refused by the other; Redis killed and restarted with traffic running.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClientKey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { redisServerAvailable, startRedisServer, type RedisServer } from "../helpers/redis/redis-server.js";

const available = redisServerAvailable();
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

interface Server {
  readonly base: string;
  stop(): Promise<void>;
}

async function startExample(framework: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", `examples/${framework}/server.ts`], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = async () => {
    child.kill();
    if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  };
  let stdout = "";
  child.stdout.setEncoding("utf8");
  while (!stdout.includes("\n")) {
    const [chunk] = (await Promise.race([once(child.stdout, "data"), once(child, "exit").then(() => [""])])) as [string];
    if (chunk === "") throw new Error(`${framework} example exited before listening`);
    stdout += chunk;
  }
  const port = /127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
  return { base: `http://127.0.0.1:${port}`, stop };
}

async function post(base: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function me(base: string, token: string): Promise<string> {
  const response = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { error?: string };
  return response.status === 200 ? "granted" : `${response.status} ${body.error}`;
}

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function twinOf(token: string): string {
  const signature = Buffer.from(token.split(".")[2] as string, "base64url");
  const s = BigInt(`0x${signature.subarray(32).toString("hex")}`);
  const twin = Buffer.concat([signature.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, "0"), "hex")]);
  return `${token.slice(0, token.lastIndexOf("."))}.${twin.toString("base64url")}`;
}

describe.skipIf(!available)("two example processes sharing one redis-server", () => {
  let redis: RedisServer;
  let emulator: TurnkeyEmulator;
  let servers: Server[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startTurnkeyEmulator();
    const env = {
      REDIS_URL: redis.url,
      TURNKEY_API_BASE_URL: emulator.apiBaseUrl,
      TURNKEY_API_PUBLIC_KEY: emulator.apiKey.publicKey,
      TURNKEY_API_PRIVATE_KEY: emulator.apiKey.privateKey,
      TURNKEY_ORGANIZATION_ID: emulator.parentOrganizationId,
      TURNKEY_NOTARIZER_PUBLIC_KEY: emulator.notarizerPublicKey,
      TURNKEY_OTP_SIGNER_PUBLIC_KEY: emulator.otpSignerPublicKey,
      TURNKEY_TRUSTED_ORGANIZATIONS: "",
    };
    servers = await Promise.all([startExample("express", env), startExample("fastify", env)]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await emulator?.close();
    await redis?.stop();
  });

  /** An OTP login through the first server, as a browser does it. */
  async function login(contact: string): Promise<string> {
    const base = servers[0]!.base;
    const key = createTestClientKey();
    const init = await post(base, "/auth/otp-init", { otpType: "OTP_TYPE_EMAIL", contact });
    const encryptedOtpBundle = await key.encryptOtpCode(emulator.lastOtp(contact) as string, init.body.otpEncryptionTargetBundle as string, emulator.otpSignerPublicKey);
    const verify = await post(base, "/auth/otp-verify", { otpId: init.body.otpId, encryptedOtpBundle });
    const verificationToken = verify.body.verificationToken as string;
    const answer = await post(base, "/auth/otp-login", { verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) });
    expect(answer.status).toBe(200);
    return answer.body.session as string;
  }

  it("a logout through one process is refused by the other, the twin encoding too; another session of the user is unaffected", async () => {
    const [one, two] = servers as [Server, Server];
    const session = await login("two@example.com");
    const other = await login("two@example.com");
    await eventually(async () => (await me(two.base, session)) === "granted", 5000); // both mirrors are loaded
    expect(await post(one.base, "/auth/logout", {}, session)).toMatchObject({ status: 200, body: { revoked: true } });
    await eventually(async () => (await me(two.base, session)) === "401 session_revoked", 1000);
    expect(await me(two.base, twinOf(session))).toBe("401 session_revoked");
    expect(await me(one.base, session)).toBe("401 session_revoked");
    expect(await me(two.base, other)).toBe("granted");
  }, 20_000);

  it("Redis killed and restarted with traffic running: no 5xx, and logouts made during and after the outage reach the other process", async () => {
    const [one, two] = servers as [Server, Server];
    const [steady, during, after] = [await login("steady@example.com"), await login("during@example.com"), await login("after@example.com")];
    const statuses: string[] = [];
    let running = true;
    const traffic = (async () => {
      while (running) {
        for (const server of servers) statuses.push(await me(server.base, steady));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    await redis.stop();
    expect(await post(one.base, "/auth/logout", {}, during)).toMatchObject({ status: 200 });
    expect(await me(one.base, during)).toBe("401 session_revoked");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.start();
    await eventually(async () => (await me(two.base, during)) === "401 session_revoked", 8000);
    await post(one.base, "/auth/logout", {}, after);
    await eventually(async () => (await me(two.base, after)) === "401 session_revoked", 2000);

    running = false;
    await traffic;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((status) => status === "granted")).toBe(true);
  }, 30_000);
});

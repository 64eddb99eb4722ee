// Keeps examples/<framework>/ working: each createApp runs with a test notarizer, and each
// server.ts starts as `npm run example:<framework>` would. That the docs show them exactly is
// test/docs.test.ts's.
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { INestApplication } from "@nestjs/common";
import { Turnkey } from "@turnkey/sdk-server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadExampleConfig, type ExampleConfig } from "../examples/config.js";
import { createApp as createExpressApp } from "../examples/express/app.js";
import { createApp as createFastifyApp } from "../examples/fastify/app.js";
import { createApp as createHonoApp } from "../examples/hono/app.js";
import { createApp as createKoaApp } from "../examples/koa/app.js";
import { createApp as createNestApp } from "../examples/nestjs/app.js";
import { createApp as createNodeHttpApp } from "../examples/node-http/app.js";
import { createTestClientKey, createTestNotarizer, startTurnkeyEmulator, type TestNotarizer, type TurnkeyEmulator } from "../src/testing/index.js";
import { listen, parseBody, send, type HeaderPairs, type TestReply } from "./helpers/adapters/http.js";

interface Request {
  method?: "GET" | "POST";
  headers?: HeaderPairs;
  body?: string;
}

interface Running {
  request(path: string, init?: Request): Promise<TestReply>;
  close(): Promise<void>;
}

const FRAMEWORKS: Record<string, (config: ExampleConfig) => Promise<Running>> = {
  express: async (config) => {
    const server = await listen(createExpressApp(config));
    return { request: (path, init = {}) => server.request(path, init.headers, init), close: server.close };
  },
  fastify: async (config) => {
    const app = createFastifyApp(config);
    return {
      async request(path, init = {}) {
        const headers: Record<string, string> = Object.fromEntries(init.headers ?? []);
        if (init.body !== undefined) headers["content-type"] = "application/json";
        const response = await app.inject({ method: init.method ?? "GET", url: path, headers, ...(init.body === undefined ? {} : { payload: init.body }) });
        return { status: response.statusCode, header: (name) => response.headers[name]?.toString(), body: parseBody(response.body) };
      },
      close: () => app.close(),
    };
  },
  koa: async (config) => {
    const server = await listen(createKoaApp(config).callback());
    return { request: (path, init = {}) => server.request(path, init.headers, init), close: server.close };
  },
  nestjs: async (config) => {
    const app = await createNestApp(config);
    return nestRunning(app);
  },
  hono: async (config) => {
    const app = createHonoApp(config);
    return {
      async request(path, init = {}) {
        const headers = new Headers(init.headers as [string, string][] | undefined);
        if (init.body !== undefined) headers.set("content-type", "application/json");
        const response = await app.request(path, { method: init.method ?? "GET", headers, ...(init.body === undefined ? {} : { body: init.body }) });
        return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body: parseBody(await response.text()) };
      },
      close: async () => {},
    };
  },
};

/** A Nest app listening on 127.0.0.1 (any free port). */
async function nestRunning(app: INestApplication): Promise<Running> {
  await app.listen(0, "127.0.0.1");
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return { request: (path, init = {}) => send(port, path, init.headers ?? [], init), close: () => app.close() };
}

let notarizer: TestNotarizer;
beforeAll(() => {
  notarizer = createTestNotarizer();
});

function configWith(extra: Partial<ExampleConfig> = {}): ExampleConfig {
  return { auth: { notarizerPublicKey: notarizer.publicKey, trustedOrganizations: ["org-1", "org-2"] }, ...extra };
}

const bearer = async (claims: Record<string, unknown> = {}): Promise<HeaderPairs> => [
  ["authorization", `Bearer ${await notarizer.sign({ user_id: "user-1", organization_id: "org-1", session_type: "SESSION_TYPE_READ_ONLY", exp: 2_000_000_000, ...claims })}`],
];

describe.each(Object.keys(FRAMEWORKS))("examples/%s", (framework) => {
  const start = FRAMEWORKS[framework] as (config: ExampleConfig) => Promise<Running>;
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("GET /health is unprotected", async () => {
    running = await start(configWith());
    const reply = await running.request("/health");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ok: true });
  });

  it("GET /me returns the session's identity, and refuses without a token", async () => {
    running = await start(configWith());
    const reply = await running.request("/me", { headers: await bearer() });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ userId: "user-1", organizationId: "org-1", sessionType: "SESSION_TYPE_READ_ONLY", expiresAt: 2_000_000_000 });
    const anonymous = await running.request("/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.header("www-authenticate")).toBe('Bearer realm="turnkey"');
    const untrusted = await running.request("/me", { headers: await bearer({ organization_id: "org-elsewhere" }) });
    expect(untrusted.status).toBe(401);
    expect(untrusted.body.error).toBe("untrusted_organization");
  });

  it("GET /orgs/:orgId/wallets only for the session's own organization", async () => {
    running = await start(configWith());
    const own = await running.request("/orgs/org-1/wallets", { headers: await bearer() });
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ organizationId: "org-1", wallets: [] });
    const other = await running.request("/orgs/org-2/wallets", { headers: await bearer() });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe("forbidden");
  });

  it("POST /auth/:flow forwards the flow name and JSON body to handleFlow and answers its result", async () => {
    const handleFlow = vi.fn(async (flow: string, body: unknown) => ({ status: 202, body: { flow, echoed: body } }));
    running = await start(configWith({ handleFlow }));
    const reply = await running.request("/auth/otp-init", { method: "POST", body: JSON.stringify({ contact: "a@example.com" }) });
    expect(handleFlow).toHaveBeenCalledOnce();
    expect(handleFlow.mock.calls[0]?.slice(0, 2)).toEqual(["otp-init", { contact: "a@example.com" }]);
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ flow: "otp-init", echoed: { contact: "a@example.com" } });
  });

  it("POST /auth/logout hands the Authorization header to handleFlow, which ends that session", async () => {
    const handleFlow = vi.fn(async () => ({ status: 200, body: { revoked: true } }));
    running = await start(configWith({ handleFlow }));
    const headers = await bearer();
    const reply = await running.request("/auth/logout", { method: "POST", headers, body: "{}" });
    expect(handleFlow).toHaveBeenCalledExactlyOnceWith("logout", {}, { authorization: headers[0]?.[1] });
    expect(reply.status).toBe(200);
  });

  it("POST /auth/:flow does not exist without handleFlow", async () => {
    running = await start(configWith());
    const reply = await running.request("/auth/otp-init", { method: "POST", body: "{}" });
    expect(reply.status).toBe(404);
  });
});

describe("examples/nestjs on Nest's Fastify platform", () => {
  it("serves /health, /me and /orgs/:orgId/wallets, refuses as on Express, and forwards POST /auth/:flow", async () => {
    const handleFlow = vi.fn(async (flow: string, body: unknown) => ({ status: 202, body: { flow, echoed: body } }));
    const running = await nestRunning(await createNestApp(configWith({ handleFlow }), "fastify"));
    try {
      expect((await running.request("/health")).body).toEqual({ ok: true });
      expect((await running.request("/me", { headers: await bearer() })).body).toMatchObject({ userId: "user-1", organizationId: "org-1" });
      const anonymous = await running.request("/me");
      expect(anonymous).toMatchObject({ status: 401, body: { error: "missing_token" } });
      expect(anonymous.header("www-authenticate")).toBe('Bearer realm="turnkey"');
      expect((await running.request("/orgs/org-2/wallets", { headers: await bearer() })).status).toBe(403);
      const flow = await running.request("/auth/otp-init", { method: "POST", body: JSON.stringify({ contact: "a@example.com" }) });
      expect(flow).toMatchObject({ status: 202, body: { flow: "otp-init", echoed: { contact: "a@example.com" } } });
    } finally {
      await running.close();
    }
  });
});

describe("examples/node-http (an adapter written with turnkey-session-auth/adapter)", () => {
  it("serves /health, /me for a session, /transfers for a read-write one; refuses as the built-in adapters do", async () => {
    const server = await listen(createNodeHttpApp(configWith()));
    try {
      expect((await server.request("/health")).body).toEqual({ ok: true });
      const me = await server.request("/me", await bearer());
      expect(me).toMatchObject({ status: 200, body: { userId: "user-1", organizationId: "org-1" } });
      const readOnly = await server.request("/transfers", await bearer());
      expect(readOnly).toMatchObject({ status: 403, body: { error: "forbidden" } });
      const readWrite = await server.request("/transfers", await bearer({ session_type: "SESSION_TYPE_READ_WRITE" }));
      expect(readWrite.status).toBe(200);
      const anonymous = await server.request("/me");
      expect(anonymous).toMatchObject({ status: 401, body: { error: "missing_token" } });
      expect(anonymous.header("www-authenticate")).toBe('Bearer realm="turnkey"');
      const twice = await server.request("/me", [...(await bearer()), ...(await bearer())]);
      expect(twice).toMatchObject({ status: 401, body: { error: "malformed_token" } });
    } finally {
      await server.close();
    }
  });
});

describe("loadExampleConfig", () => {
  it("reads trusted organizations, the notarizer key and the port", () => {
    const config = loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: " org-a, org-b ,", TURNKEY_NOTARIZER_PUBLIC_KEY: "02abc", PORT: "8080" });
    expect(config).toEqual({ auth: { trustedOrganizations: ["org-a", "org-b"], notarizerPublicKey: "02abc", store: expect.any(Object) }, port: 8080 });
  });

  it("refuses to start without an explicit trust setting, saying exactly what to set", () => {
    for (const unset of [{}, { TURNKEY_TRUSTED_ORGANIZATIONS: "" }, { TURNKEY_TRUSTED_ORGANIZATIONS: "  " }]) {
      let message = "";
      try {
        loadExampleConfig(unset);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain("TURNKEY_TRUSTED_ORGANIZATIONS=<your organization ids, comma-separated>");
      expect(message).toContain("TURNKEY_API_PUBLIC_KEY, TURNKEY_API_PRIVATE_KEY and TURNKEY_ORGANIZATION_ID");
      expect(message).toContain("TURNKEY_TRUSTED_ORGANIZATIONS=any");
    }
  });

  it("trusts any organization only when told so explicitly; defaults to the production key and port 3000", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "any" })).toEqual({ auth: { trustedOrganizations: "any", store: expect.any(Object) }, port: 3000 });
      expect(loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: " any " }).auth.trustedOrganizations).toBe("any");
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("with the parent's API key: serves the login flows and trusts its sub-organizations unless told otherwise", () => {
    const apiKey = { TURNKEY_API_PUBLIC_KEY: "02" + "11".repeat(32), TURNKEY_API_PRIVATE_KEY: "22".repeat(32), TURNKEY_ORGANIZATION_ID: "parent-org" };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const config = loadExampleConfig(apiKey);
      expect(config.handleFlow).toBeTypeOf("function");
      expect(config.auth.trustedOrganizations).toBeTypeOf("function");
      expect(warn).not.toHaveBeenCalled();
      const listed = loadExampleConfig({ ...apiKey, TURNKEY_TRUSTED_ORGANIZATIONS: "org-a" });
      expect(listed.auth.trustedOrganizations).toEqual(["org-a"]);
      expect(listed.handleFlow).toBeTypeOf("function");
      expect(loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "any" }).handleFlow).toBeUndefined();
    } finally {
      warn.mockRestore();
    }
    expect(() => loadExampleConfig({ TURNKEY_API_PUBLIC_KEY: apiKey.TURNKEY_API_PUBLIC_KEY, TURNKEY_TRUSTED_ORGANIZATIONS: "any" })).toThrow(
      /missing: TURNKEY_API_PRIVATE_KEY, TURNKEY_ORGANIZATION_ID/,
    );
  });

  it("refuses an unusable PORT or organization list", () => {
    expect(() => loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "any", PORT: "http" })).toThrow(/PORT/);
    expect(() => loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "any", PORT: "70000" })).toThrow(/PORT/);
    expect(() => loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: " , " })).toThrow(/TURNKEY_TRUSTED_ORGANIZATIONS/);
  });
});

/** Starts examples/<framework>/server.ts as `npm run example:<framework>` would (tsx), as one process so it can be stopped cleanly. */
async function startServer(framework: string, env: Record<string, string>): Promise<{ base: string; stdout: string; output(): string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", `examples/${framework}/server.ts`], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    // No API key unless the test gives one (whatever the developer's shell exports).
    env: { ...process.env, PORT: "0", TURNKEY_API_PUBLIC_KEY: "", TURNKEY_API_PRIVATE_KEY: "", TURNKEY_ORGANIZATION_ID: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let everything = ""; // all the process wrote, stdout and stderr
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer | string) => (everything += String(chunk)));
  const stop = async () => {
    child.kill();
    if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  };
  try {
    let stdout = "";
    child.stdout.setEncoding("utf8");
    while (!stdout.includes("\n")) {
      const [chunk] = (await Promise.race([once(child.stdout, "data"), once(child, "exit").then(() => [""])])) as [string];
      if (chunk === "") throw new Error(`server.ts exited before listening (code ${child.exitCode})`);
      stdout += chunk;
    }
    const match = /^\w+ example listening on http:\/\/127\.0\.0\.1:(\d+)\n$/.exec(stdout);
    expect(match, stdout).not.toBeNull();
    return { base: `http://127.0.0.1:${match?.[1]}`, stdout, output: () => everything, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe("examples/express/server.ts without a trust setting", () => {
  it("exits before listening, with the message saying what to set", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/express/server.ts"], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, PORT: "0", TURNKEY_TRUSTED_ORGANIZATIONS: "", TURNKEY_API_PUBLIC_KEY: "", TURNKEY_API_PRIVATE_KEY: "", TURNKEY_ORGANIZATION_ID: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).not.toBe(0);
    expect(output).not.toMatch(/listening/);
    expect(output).toContain("Set which organizations' sessions to trust: TURNKEY_TRUSTED_ORGANIZATIONS=");
  });
});

describe.each(Object.keys(FRAMEWORKS))("examples/%s/server.ts", (framework) => {
  it("starts on PORT (127.0.0.1), logs one line without any token, and serves", async () => {
    const server = await startServer(framework, { TURNKEY_TRUSTED_ORGANIZATIONS: "org-1", TURNKEY_NOTARIZER_PUBLIC_KEY: notarizer.publicKey });
    try {
      const { base } = server;
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true });
      const token = await notarizer.sign({ user_id: "user-1", organization_id: "org-1" });
      const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ userId: "user-1", organizationId: "org-1" });
      // No API key in the environment: no login flows.
      expect((await fetch(`${base}/auth/otp-init`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});

describe("examples/express/server.ts with a Turnkey API key (against the emulator)", () => {
  let emulator: TurnkeyEmulator;
  beforeAll(async () => {
    emulator = await startTurnkeyEmulator();
  });
  afterAll(() => emulator?.close());

  it("serves the OTP flow at POST /auth/:flow and trusts the parent's sub-organizations by default", async () => {
    const server = await startServer("express", {
      TURNKEY_API_BASE_URL: emulator.apiBaseUrl,
      TURNKEY_API_PUBLIC_KEY: emulator.apiKey.publicKey,
      TURNKEY_API_PRIVATE_KEY: emulator.apiKey.privateKey,
      TURNKEY_ORGANIZATION_ID: emulator.parentOrganizationId,
      TURNKEY_NOTARIZER_PUBLIC_KEY: emulator.notarizerPublicKey,
      TURNKEY_OTP_SIGNER_PUBLIC_KEY: emulator.otpSignerPublicKey,
      TURNKEY_TRUSTED_ORGANIZATIONS: "",
    });
    const post = async (flow: string, body: unknown) => {
      const response = await fetch(`${server.base}/auth/${flow}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    try {
      const contact = "example-server@example.com";
      const init = await post("otp-init", { otpType: "OTP_TYPE_EMAIL", contact });
      expect(init.status).toBe(200);
      expect(init.body).toEqual({ otpId: expect.any(String), otpEncryptionTargetBundle: expect.any(String) });
      // The request reached Turnkey (the emulator) with the parent's API key, and a code was "sent".
      expect(emulator.requests.some((request) => request.path.includes("init_otp") && request.organizationId === emulator.parentOrganizationId)).toBe(true);
      const code = emulator.lastOtp(contact);
      expect(code).toBeDefined();

      // The rest of the flow, then the session it issued opens /me: trust = the parent's sub-organizations.
      const key = createTestClientKey();
      const encryptedOtpBundle = await key.encryptOtpCode(code as string, init.body.otpEncryptionTargetBundle as string, emulator.otpSignerPublicKey);
      const verify = await post("otp-verify", { otpId: init.body.otpId, encryptedOtpBundle });
      expect(verify.status).toBe(200);
      const verificationToken = verify.body.verificationToken as string;
      const login = await post("otp-login", { verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ created: true, organizationId: expect.any(String), userId: expect.any(String) });
      const me = await fetch(`${server.base}/me`, { headers: { authorization: `Bearer ${login.body.session as string}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ userId: login.body.userId, organizationId: login.body.organizationId });

      // Another parent's sub-organization is not trusted.
      const foreign = emulator.createOrganization();
      const stranger = createTestClientKey();
      const foreignClient = new Turnkey({ apiBaseUrl: emulator.apiBaseUrl, apiPublicKey: foreign.apiKey.publicKey, apiPrivateKey: foreign.apiKey.privateKey, defaultOrganizationId: foreign.organizationId }).apiClient();
      const { subOrganizationId } = await foreignClient.createSubOrganization({
        subOrganizationName: "foreign",
        rootQuorumThreshold: 1,
        rootUsers: [{ userName: "foreign", apiKeys: [{ apiKeyName: "k", publicKey: stranger.publicKey, curveType: "API_KEY_CURVE_P256" }], authenticators: [], oauthProviders: [] }],
      });
      const strangerClient = new Turnkey({ apiBaseUrl: emulator.apiBaseUrl, apiPublicKey: stranger.publicKey, apiPrivateKey: stranger.privateKey, defaultOrganizationId: subOrganizationId }).apiClient();
      const { session: foreignSession } = await strangerClient.stampLogin({ publicKey: createTestClientKey().publicKey });
      const refused = await fetch(`${server.base}/me`, { headers: { authorization: `Bearer ${foreignSession}` } });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: "untrusted_organization" });
    } finally {
      await server.stop();
    }
  });

  // NODE_ENV=development: Express's error page (with its stack trace) and its error log are on.
  it.each(Object.keys(FRAMEWORKS))("%s: logs nothing of a request body, malformed or failing, with NODE_ENV=development", async (framework) => {
    const server = await startServer(framework, {
      NODE_ENV: "development",
      TURNKEY_API_BASE_URL: emulator.apiBaseUrl,
      TURNKEY_API_PUBLIC_KEY: emulator.apiKey.publicKey,
      TURNKEY_API_PRIVATE_KEY: emulator.apiKey.privateKey,
      TURNKEY_ORGANIZATION_ID: emulator.parentOrganizationId,
      TURNKEY_TRUSTED_ORGANIZATIONS: "org-1",
    });
    const secret = "eyJhbGciOiJFUzI1NiJ9.a-verification-token-in-a-body";
    const post = (body: string) => fetch(`${server.base}/auth/otp-login`, { method: "POST", headers: { "content-type": "application/json" }, body });
    try {
      const malformed = await post(`{"verificationToken":"${secret}`);
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ error: "invalid_json", message: "The body must be JSON" });
      await emulator.faults.set({ kind: "status500" }); // a 5xx, which the example logs
      const failing = await fetch(`${server.base}/auth/otp-init`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ otpType: "OTP_TYPE_EMAIL", contact: `${secret}@example.com` }),
      });
      expect(failing.status).toBe(503);
    } finally {
      await emulator.faults.clear();
      await server.stop();
    }
    expect(server.output()).toContain("POST /auth/otp-init failed: unavailable");
    expect(server.output()).not.toContain("a-verification-token-in-a-body");
  });
});

// Keeps examples/<framework>/ working: each createApp runs with a test notarizer, and each
// server.ts starts as `npm run example:<framework>` would.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadExampleConfig, type ExampleConfig } from "../examples/config.js";
import { createApp as createExpressApp } from "../examples/express/app.js";
import { createApp as createFastifyApp } from "../examples/fastify/app.js";
import { createApp as createHonoApp } from "../examples/hono/app.js";
import { createApp as createKoaApp } from "../examples/koa/app.js";
import { createTestNotarizer, type TestNotarizer } from "../src/testing/index.js";
import { listen, parseBody, type HeaderPairs, type TestReply } from "./adapters/http.js";

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
    expect(handleFlow).toHaveBeenCalledExactlyOnceWith("otp-init", { contact: "a@example.com" });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ flow: "otp-init", echoed: { contact: "a@example.com" } });
  });

  it("POST /auth/:flow does not exist without handleFlow", async () => {
    running = await start(configWith());
    const reply = await running.request("/auth/otp-init", { method: "POST", body: "{}" });
    expect(reply.status).toBe(404);
  });
});

describe("loadExampleConfig", () => {
  it("reads trusted organizations, the notarizer key and the port", () => {
    const config = loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: " org-a, org-b ,", TURNKEY_NOTARIZER_PUBLIC_KEY: "02abc", PORT: "8080" });
    expect(config).toEqual({ auth: { trustedOrganizations: ["org-a", "org-b"], notarizerPublicKey: "02abc" }, port: 8080 });
  });

  it("defaults to the production key, port 3000, and any organization with a warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const config = loadExampleConfig({});
      expect(config).toEqual({ auth: { trustedOrganizations: "any" }, port: 3000 });
      expect(warn).toHaveBeenCalledOnce();
      expect(String(warn.mock.calls[0]?.[0])).toContain("TURNKEY_TRUSTED_ORGANIZATIONS");
      warn.mockClear();
      expect(loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "any" }).auth.trustedOrganizations).toBe("any");
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("refuses an unusable PORT or organization list", () => {
    expect(() => loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "any", PORT: "http" })).toThrow(/PORT/);
    expect(() => loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "any", PORT: "70000" })).toThrow(/PORT/);
    expect(() => loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: " , " })).toThrow(/TURNKEY_TRUSTED_ORGANIZATIONS/);
  });
});

describe.each(Object.keys(FRAMEWORKS))("examples/%s/server.ts", (framework) => {
  it("starts on PORT (127.0.0.1), logs one line without any token, and serves", async () => {
    // What `npm run example:<framework>` runs (tsx), as one process so it can be stopped cleanly.
    const child = spawn(process.execPath, ["--import", "tsx", `examples/${framework}/server.ts`], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, PORT: "0", TURNKEY_TRUSTED_ORGANIZATIONS: "org-1", TURNKEY_NOTARIZER_PUBLIC_KEY: notarizer.publicKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
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
      const base = `http://127.0.0.1:${match?.[1]}`;
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true });
      const token = await notarizer.sign({ user_id: "user-1", organization_id: "org-1" });
      const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ userId: "user-1", organizationId: "org-1" });
    } finally {
      child.kill();
      if (child.exitCode === null) await once(child, "exit");
    }
  });
});

describe("README", () => {
  const root = new URL("..", import.meta.url);
  const files = ["app.ts", "server.ts"].flatMap((file) => Object.keys(FRAMEWORKS).map((framework) => `examples/${framework}/${file}`));

  // The README shows each example exactly, with the imports of src/ written as the package's.
  it.each(files)("shows %s exactly", async (path) => {
    const marker = `<!-- ${path} -->\n\`\`\`ts\n`;
    const readmes = await Promise.all(
      ["README.md", "README-ADAPTERS.md"].map((name) => readFile(new URL(name, root), "utf8").catch(() => "")),
    );
    const readme = readmes.find((text) => text.includes(marker));
    expect(readme, `no README carries the marker ${JSON.stringify(marker)}`).toBeDefined();
    const start = (readme as string).indexOf(marker) + marker.length;
    const shown = (readme as string).slice(start, (readme as string).indexOf("```", start));
    const source = (await readFile(new URL(path, root), "utf8"))
      .replace(/"\.\.\/\.\.\/src\/adapters\/(\w+)\.js"/g, '"turnkey-session-auth/$1"')
      .replaceAll('"../../src/index.js"', '"turnkey-session-auth"');
    expect(shown).toBe(source);
  });
});

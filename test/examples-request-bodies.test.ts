// The examples' POST /auth/:flow under hostile bodies: each refuses a body over 1 MiB with 413 as
// it streams in (never buffering it whole), answers malformed JSON with the same JSON 400, and never
// logs a request body (a verification token can be in one), through the real frameworks.
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { serve } from "@hono/node-server";
import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { loadExampleConfig, type ExampleConfig } from "../examples/config.js";
import { createApp as createExpressApp } from "../examples/express/app.js";
import { createApp as createFastifyApp } from "../examples/fastify/app.js";
import { createApp as createHonoApp } from "../examples/hono/app.js";
import { createApp as createKoaApp } from "../examples/koa/app.js";
import { createApp as createNestApp } from "../examples/nestjs/app.js";
import { generateP256KeyPairHex } from "../src/testing/emulator/keys.js";

interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

async function closing(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Each example app on a real HTTP server at 127.0.0.1, any free port. */
const FRAMEWORKS: Record<string, (config: ExampleConfig) => Promise<Listening>> = {
  express: async (config) => {
    const server = createExpressApp(config).listen(0, "127.0.0.1");
    await once(server, "listening");
    return { port: (server.address() as AddressInfo).port, close: () => closing(server) };
  },
  fastify: async (config) => {
    const app = createFastifyApp(config);
    await app.listen({ port: 0, host: "127.0.0.1" });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  },
  koa: async (config) => {
    const server = createServer(createKoaApp(config).callback()).listen(0, "127.0.0.1");
    await once(server, "listening");
    return { port: (server.address() as AddressInfo).port, close: () => closing(server) };
  },
  ...Object.fromEntries(
    (["express", "fastify"] as const).map((platform) => [
      `nestjs (${platform})`,
      async (config: ExampleConfig) => {
        const app = await createNestApp(config, platform);
        await app.listen(0, "127.0.0.1");
        return { port: (app.getHttpServer().address() as AddressInfo).port, close: () => app.close() };
      },
    ]),
  ),
  hono: async (config) => {
    const app = createHonoApp(config);
    let server: Server | undefined;
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port)) as Server;
    });
    return { port, close: () => closing(server as Server) };
  },
};

const MARKER = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.secret-verification-token";
const MiB = 1_048_576;

function configWith(handleFlow: NonNullable<ExampleConfig["handleFlow"]>): ExampleConfig {
  return { auth: { trustedOrganizations: ["org-1"] }, handleFlow };
}

interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
  /** Bytes of the body sent when the answer's headers arrived. */
  readonly sentWhenAnswered: number;
}

/**
 * POSTs a JSON-looking body of `total` bytes in 64 KiB chunks, chunked (no Content-Length, so the
 * server must count as it reads), respecting backpressure; stops sending once answered.
 */
function streamBody(port: number, total: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const outgoing = request({ host: "127.0.0.1", port, path: "/auth/otp-init", method: "POST", headers: { "content-type": "application/json" } }, (incoming) => {
      answered = true;
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        resolve({ status: incoming.statusCode ?? 0, contentType: incoming.headers["content-type"], text: Buffer.concat(chunks).toString("utf8"), sentWhenAnswered });
        outgoing.destroy();
      });
    });
    // The server may stop reading and close once it has answered: that ends the upload, not the test.
    outgoing.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      if (sent === 0) {
        outgoing.write('{"contact":"');
        sent += 12;
      }
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!outgoing.write(chunk)) return void outgoing.once("drain", pump);
      }
      if (!answered) outgoing.end('"}');
    };
    pump();
  });
}

let spies: MockInstance[] = [];
afterEach(() => {
  for (const spy of spies) spy.mockRestore();
  spies = [];
});

/** Everything the process writes to the console, stdout or stderr from now on (still written). */
function watchOutput(): () => string {
  spies = [
    ...(["log", "info", "warn", "error", "debug", "trace"] as const).map((method) => vi.spyOn(console, method)),
    vi.spyOn(process.stdout, "write"),
    vi.spyOn(process.stderr, "write"),
  ];
  return () => spies.flatMap((spy) => spy.mock.calls.map((call) => call.map((argument) => (typeof argument === "string" ? argument : inspect(argument, { depth: 5 }))).join(" "))).join("\n");
}

describe("examples: request bodies of POST /auth/:flow", () => {
  it.each(Object.keys(FRAMEWORKS))("%s: refuses a body over 1 MiB with a JSON 413 while it streams in, without calling the flow", async (framework) => {
    const handleFlow = vi.fn(async () => ({ status: 200, body: {} }));
    const server = await (FRAMEWORKS[framework] as (config: ExampleConfig) => Promise<Listening>)(configWith(handleFlow));
    try {
      const answer = await streamBody(server.port, 16 * MiB);
      expect(answer.status).toBe(413);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(answer.text)).toEqual({ error: "body_too_large", message: "The body must be at most 1 MiB" });
      expect(handleFlow).not.toHaveBeenCalled();
      // Express's body parser (Nest's on its Express platform too) reads an oversized body to its
      // end (discarding it) before answering; the others answer as soon as the limit is passed.
      if (!["express", "nestjs (express)"].includes(framework)) expect(answer.sentWhenAnswered).toBeLessThan(16 * MiB);
      // Exactly 1 MiB of JSON still goes through.
      const fits = JSON.stringify({ contact: "a".repeat(MiB - 14) });
      expect(Buffer.byteLength(fits)).toBe(MiB);
      const response = await fetch(`http://127.0.0.1:${server.port}/auth/otp-init`, { method: "POST", headers: { "content-type": "application/json" }, body: fits });
      expect(response.status).toBe(200);
      expect(handleFlow).toHaveBeenCalledOnce();
    } finally {
      await server.close();
    }
  });

  it("every example answers malformed JSON with the same JSON 400, no stack trace, and logs nothing of it", async () => {
    const handleFlow = vi.fn(async () => ({ status: 200, body: {} }));
    for (const [framework, start] of Object.entries(FRAMEWORKS)) {
      const server = await start(configWith(handleFlow));
      const output = watchOutput();
      try {
        const response = await fetch(`http://127.0.0.1:${server.port}/auth/otp-login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `{"verificationToken":"${MARKER}`,
        });
        const text = await response.text();
        expect(response.status, framework).toBe(400);
        expect(response.headers.get("content-type"), framework).toMatch(/^application\/json/);
        expect(JSON.parse(text), framework).toEqual({ error: "invalid_json", message: "The body must be JSON" });
        expect(text).not.toMatch(/\bat \w|node_modules|SyntaxError/);
        expect(output(), framework).not.toContain("secret-verification-token");
        expect(handleFlow).not.toHaveBeenCalled();
      } finally {
        for (const spy of spies) spy.mockRestore();
        await server.close();
      }
    }
  });
});

describe("examples/config.ts: a failed flow is logged without Turnkey's own error text", () => {
  it("logs the flow, the code and our message; not the cause, which can echo the request", async () => {
    // A Turnkey stand-in that fails and echoes the request body in its error, as an upstream may.
    const echo = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        outgoing.writeHead(500, { "content-type": "application/json" });
        outgoing.end(JSON.stringify({ code: 13, message: `internal error for ${Buffer.concat(chunks).toString("utf8")}`, details: [] }));
      });
    }).listen(0, "127.0.0.1");
    await once(echo, "listening");
    try {
      const apiKey = generateP256KeyPairHex();
      const config = loadExampleConfig({
        TURNKEY_API_BASE_URL: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`,
        TURNKEY_API_PUBLIC_KEY: apiKey.publicKey,
        TURNKEY_API_PRIVATE_KEY: apiKey.privateKey,
        TURNKEY_ORGANIZATION_ID: "parent-org",
      });
      const output = watchOutput();
      const contact = "secret-verification-token@example.com";
      const answer = await config.handleFlow?.("otp-init", { otpType: "OTP_TYPE_EMAIL", contact });
      expect(answer).toEqual({ status: 503, body: { error: "unavailable", message: expect.any(String) } });
      const logged = output();
      expect(logged).toContain("POST /auth/otp-init failed: unavailable");
      expect(logged).not.toContain("secret-verification-token");
    } finally {
      await closing(echo);
    }
  });
});

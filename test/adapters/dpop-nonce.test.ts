// DPoP server nonces (RFC 9449 §8, §9) through every real framework: the use_dpop_nonce refusal
// carries its DPoP-Nonce header in Express, Koa, Fastify, Hono, the fetch adapter and NestJS (on
// both platforms); dpopFetch retries once with it, remembers it for the next request, and does not
// retry a request whose body is a stream.
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { turnkeyAuth as expressAuth } from "../../src/adapters/express.js";
import { authenticateRequest } from "../../src/adapters/fetch.js";
import { createDpopProof, dpopFetch } from "../../src/client/index.js";
import type { DpopOptions } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { createSession, proofFor, type Session } from "../helpers/dpop/helpers.js";
import { Probe } from "./cases.js";
import { expressDpopApp, fastifyDpopApp, honoDpopApp, koaDpopApp, type DpopApp, type StartDpopApp } from "../helpers/adapters/dpop-apps.js";
import { listen, send, type HeaderPairs, type TestReply } from "../helpers/adapters/http.js";
import { PLATFORMS, startNestApp } from "../helpers/adapters/nestjs-app.js";

const ORIGIN = "https://api.example.com";
const notarizer = createTestNotarizer();
const verifyOptions = { trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey };
const dpopOptions: DpopOptions = { origin: ORIGIN, nonce: { secret: "one secret for every instance of this api" } };
const NONCE_CHALLENGE = /^DPoP realm="turnkey", error="use_dpop_nonce", error_description="[^"]+", algs="ES256"$/;
const encoder = new TextEncoder();

let session: Session;
beforeAll(async () => {
  session = await createSession(notarizer);
});

const dpopHeaders = (proof: string): HeaderPairs => [["authorization", `DPoP ${session.token}`], ["dpop", proof]];
const proofWith = (method: string, url: string, nonce?: string) =>
  createDpopProof({ token: session.token, method, url, privateKey: session.key.privateKey, ...(nonce === undefined ? {} : { nonce }) });
const replyOf = (response: Response) => ({ status: response.status, header: (name: string) => response.headers.get(name) ?? undefined });

function expectNonceRefusal(reply: Pick<TestReply, "status" | "header">, body: { error?: unknown }): string {
  expect([reply.status, body.error]).toEqual([401, "use_dpop_nonce"]);
  expect(reply.header("www-authenticate")).toMatch(NONCE_CHALLENGE);
  const nonce = reply.header("dpop-nonce");
  expect(nonce).toMatch(/^[A-Za-z0-9_-]{48}$/);
  return nonce as string;
}

describe.each<[string, StartDpopApp]>([
  ["express", expressDpopApp],
  ["koa", koaDpopApp],
  ["fastify", fastifyDpopApp],
  ["hono", honoDpopApp],
])("DPoP nonces through %s", (_name, start) => {
  let app: DpopApp;
  beforeAll(async () => {
    app = await start(verifyOptions, dpopOptions);
  });
  afterAll(() => app.close());

  it("refuses a proof without a nonce with use_dpop_nonce and DPoP-Nonce, and grants the retry", async () => {
    const transfer = async (nonce?: string) =>
      send(app.port, "/api/transfers", dpopHeaders(await proofWith("POST", `${ORIGIN}/api/transfers`, nonce)), { method: "POST", body: "{}" });
    const refused = await transfer();
    const nonce = expectNonceRefusal(refused, refused.body);
    const granted = await transfer(nonce);
    expect([granted.status, granted.body]).toEqual([200, { userId: expect.any(String) }]);
  });

  it("dpopFetch retries once with the nonce, then sends it first time; a stream body is not retried", async () => {
    // The proofs name the public origin; the requests go to this test server.
    const statuses: number[] = [];
    const local = (input: RequestInfo | URL) => String(input).replace(ORIGIN, `http://127.0.0.1:${app.port}`);
    const toServer: typeof fetch = async (input, init) => {
      const response = await fetch(local(input), init);
      statuses.push(response.status);
      return response;
    };
    const api = dpopFetch({ token: session.token, privateKey: session.key.privateKey, fetch: toServer });
    const post = { method: "POST", body: "{}", headers: { "content-type": "application/json" } };
    const first = await api(`${ORIGIN}/api/transfers`, post);
    expect([first.status, await first.json()]).toEqual([200, { userId: expect.any(String) }]);
    expect(statuses).toEqual([401, 200]);
    expect((await api(`${ORIGIN}/api/transfers`, post)).status).toBe(200);
    expect((await api(`${ORIGIN}/me`)).status).toBe(200);
    expect(statuses).toEqual([401, 200, 200, 200]);

    statuses.length = 0;
    const fresh = dpopFetch({ token: session.token, privateKey: session.key.privateKey, fetch: toServer });
    const stream = new ReadableStream<Uint8Array>({ start: (controller) => { controller.enqueue(encoder.encode("{}")); controller.close(); } });
    const streamed = await fresh(`${ORIGIN}/api/transfers`, { method: "POST", body: stream, duplex: "half", headers: { "content-type": "application/json" } } as RequestInit);
    expectNonceRefusal(replyOf(streamed), (await streamed.json()) as { error?: unknown });
    expect(statuses).toEqual([401]);
    // The refusal's nonce is remembered all the same.
    expect((await fresh(`${ORIGIN}/api/transfers`, post)).status).toBe(200);
    expect(statuses).toEqual([401, 200]);
  });
});

describe("DPoP nonces on the framework's error path", () => {
  it("a forwarded use_dpop_nonce keeps its DPoP-Nonce: Express's final handler copies the error's headers", async () => {
    const app = express();
    app.post("/transfers", expressAuth({ ...verifyOptions, dpop: "required", dpopOptions, forwardErrors: true }), (_req, res) => res.json({}));
    const server = await listen(app);
    try {
      const refused = await send(server.port, "/transfers", dpopHeaders(await proofWith("POST", `${ORIGIN}/transfers`)), { method: "POST", body: "{}" });
      expect(refused.status).toBe(401);
      expect(refused.header("dpop-nonce")).toMatch(/^[A-Za-z0-9_-]{48}$/);
      expect(refused.header("www-authenticate")).toMatch(NONCE_CHALLENGE);
    } finally {
      await server.close();
    }
  });
});

describe("DPoP nonces through the fetch adapter", () => {
  it("answers use_dpop_nonce with DPoP-Nonce, and dpopFetch's retry is granted", async () => {
    const options = { ...verifyOptions, dpop: "required" as const, dpopOptions };
    const handler = async (request: Request) => {
      const outcome = await authenticateRequest(request, options);
      return outcome instanceof Response ? outcome : Response.json({ userId: outcome?.userId });
    };
    const refused = await handler(new Request(`${ORIGIN}/transfers`, { method: "POST", headers: [...dpopHeaders(await proofFor(session, "POST", `${ORIGIN}/transfers`))] as [string, string][] }));
    expectNonceRefusal(replyOf(refused), (await refused.json()) as { error?: unknown });
    const statuses: number[] = [];
    const api = dpopFetch({ token: session.token, privateKey: session.key.privateKey, fetch: async (input, init) => {
      const response = await handler(new Request(input as string, init));
      statuses.push(response.status);
      return response;
    } });
    expect((await api(`${ORIGIN}/transfers`, { method: "POST", body: "{}" })).status).toBe(200);
    expect(statuses).toEqual([401, 200]);
  });
});

describe.each(PLATFORMS)("DPoP nonces through NestJS on %s", (platform) => {
  it("answers use_dpop_nonce with DPoP-Nonce, and grants the retry", async () => {
    const spec = { options: { ...verifyOptions, dpop: "required" as const, dpopOptions }, global: true, customOnError: false };
    const app = await startNestApp(platform, spec, new Probe());
    try {
      const refused = await app.request("/whoami", dpopHeaders(await proofWith("GET", `${ORIGIN}/whoami`)));
      const nonce = expectNonceRefusal(refused, refused.body);
      const granted = await app.request("/whoami", dpopHeaders(await proofWith("GET", `${ORIGIN}/whoami`, nonce)));
      expect(granted.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

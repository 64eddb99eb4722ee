// Per-piece costs of the verification hot path, in nanoseconds per call of main-thread CPU time
// (process.cpuUsage, not wall time: robust when other processes share the machine).
// Usage: tsx bench/hot-path.ts [ms-per-piece=1000]
import { createAuthenticator } from "../src/http/authenticate.js";
import { extractToken } from "../src/http/extract-token.js";
import { LruCache } from "../src/jwt/lru.js";
import { nativeCrypto } from "../src/crypto/native.js";
import { hasScalarsInRange } from "../src/crypto/p256.js";
import { parseJsonBytes, parseToken } from "../src/jwt/parse.js";
import { requireReadWrite } from "../src/policies/index.js";
import type { RequestLike } from "../src/http/request.js";
import { sessionFromPayload } from "../src/jwt/claims.js";
import { createSessionVerifier } from "../src/jwt/verifier.js";
import { BENCH_ORGANIZATION_ID, mintTokens } from "./tokens.js";

const pieceMs = Number(process.argv[2] ?? 1000);
const { notarizer, tokens } = await mintTokens(4096);
const token = (index: number) => tokens[index & 4095] as string;
let sink: unknown;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function report(name: string, calls: number, micros: number): void {
  console.log(`${name.padEnd(46)} ${((micros * 1000) / calls).toFixed(0).padStart(7)} ns/call`);
}

function sync(name: string, op: (index: number) => void): void {
  const run = (ms: number) => {
    const startCpu = cpuMicros();
    const end = performance.now() + ms;
    let calls = 0;
    while (performance.now() < end) for (let batch = 0; batch < 128; batch++) op(calls++);
    return { calls, micros: cpuMicros() - startCpu };
  };
  run(pieceMs / 4);
  const { calls, micros } = run(pieceMs);
  report(name, calls, micros);
}

async function sequential(name: string, op: (index: number) => Promise<unknown>): Promise<void> {
  const run = async (ms: number) => {
    const startCpu = cpuMicros();
    const end = performance.now() + ms;
    let calls = 0;
    while (performance.now() < end) for (let batch = 0; batch < 128; batch++) await op(calls++);
    return { calls, micros: cpuMicros() - startCpu };
  };
  await run(pieceMs / 4);
  const { calls, micros } = await run(pieceMs);
  report(name, calls, micros);
}

const parsed = tokens.map((jwt) => parseToken(jwt));
const crypto = nativeCrypto();
sync("parseToken", (index) => (sink = parseToken(token(index))));
sync("hasScalarsInRange", (index) => (sink = hasScalarsInRange(parsed[index & 4095]!.signature)));
sync("sha256Ascii(signingInput)", (index) => (sink = crypto.sha256Ascii(parsed[index & 4095]!.signingInput)));
sync("parseJsonBytes(payload)", (index) => (sink = parseJsonBytes(parsed[index & 4095]!.payload)));
sync("parseJsonBytes + sessionFromPayload", (index) => (sink = sessionFromPayload(parseJsonBytes(parsed[index & 4095]!.payload), token(index))));

const headerValue = `Bearer ${token(0)}`;
const nodeHeaders = { host: "127.0.0.1:3000", "user-agent": "autocannon", accept: "*/*", authorization: headerValue };
const rawHeaders = ["Host", "127.0.0.1:3000", "User-Agent", "autocannon", "Accept", "*/*", "Authorization", headerValue];
const nodeRequest: RequestLike = { method: "GET", path: "/me", params: {}, query: {}, headers: nodeHeaders, rawHeaders };
const fetchRequest: RequestLike = { method: "GET", path: "/me", params: {}, query: {}, headers: new Headers(nodeHeaders) };
sync("extractToken (node headers + rawHeaders)", () => (sink = extractToken(nodeRequest)));
sync("extractToken (fetch Headers)", () => (sink = extractToken(fetchRequest)));

const lru = new LruCache<string, number>(10_000);
for (let index = 0; index < 4096; index++) lru.set(token(index), index);
sync("LruCache.get, hit (4096 hot keys)", (index) => (sink = lru.get(token(index))));
sync("LruCache.get, same key", () => (sink = lru.get(token(7))));

const options = { trustedOrganizations: [BENCH_ORGANIZATION_ID], notarizerPublicKey: notarizer.publicKey };
const verifier = createSessionVerifier(options);
await verifier.verify(token(0));
await sequential("verifier.verify warm (same token), awaited", () => verifier.verify(token(0)));
// As in a server: every request brings a fresh string (sliced from its header), unhashed.
const bearerLines = tokens.map((jwt) => `Bearer ${jwt}`);
await sequential("verifier.verify warm (fresh string per call)", () => verifier.verify(bearerLines[0]!.slice(7)));
for (let index = 0; index < 4096; index++) await verifier.verify(token(index));
await sequential("verifier.verify warm (4096 tokens), awaited", (index) => verifier.verify(token(index)));

const authenticator = createAuthenticator({ verifier });
// A cached session settles without a promise: measured as adapters call it, synchronously.
sync("authenticate warm, no policies (synchronous result)", () => (sink = authenticator.authenticate(nodeRequest, undefined)));
const withPolicy = createAuthenticator({ verifier, policies: [requireReadWrite()] });
sync("authenticate warm, one sync policy (synchronous result)", () => (sink = withPolicy.authenticate(nodeRequest, undefined)));
if (sink === Symbol.for("never")) console.log(sink);

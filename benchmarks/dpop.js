// DPoP (RFC 9449): requests per second through the adapter engine (turnkey-session-auth/adapter's
// createAuthenticator, the code under every adapter), in this process, 64 in flight, with the CPU
// time per request: where the time of http.js's DPoP pair goes, without HTTP. Reported, not judged:
// - bearer cold: distinct tokens, each a full signature check (the yardstick);
// - dpop known: one session already verified, a fresh proof per request (the proof's checks, one
//   ECDSA verification on the thread pool, the jti in the memory store);
// - bearer warm: one cached token.
// Proofs are made beforehand by the built client (turnkey-session-auth/client), so signing is not timed.
import { fmt, importEntry, mintTokens, sessionKey, table, verifyOptions, ORGANIZATION_ID } from "./lib.js";

const IN_FLIGHT = 64;
const ORIGIN = "https://bench.example";
const reader = {
  pathMatching: { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false },
  method: () => "GET",
  target: () => "/me",
  headers: (request) => request.headers,
  params: () => ({}),
  query: () => ({}),
  holder: (request) => request,
};

/**
 * Requests per second over `requests`, `IN_FLIGHT` at a time, and the process's CPU time per
 * request (main thread and thread pool: steadier than the rate on a shared machine); throws on any refusal.
 */
async function throughput(authenticator, requests) {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const lane = async () => {
    while (next < requests.length) {
      const result = await authenticator.authenticate(requests[next++]);
      if (result.failure !== undefined) throw new Error(`refused: ${result.failure.body.error}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { rate: requests.length / seconds, cpuMicroseconds: (cpu.user + cpu.system) / requests.length };
}

/** Measures bearer cold, DPoP with a known session, and bearer warm, over `count` requests each. */
export async function runDpop({ notarizer, count, log }) {
  const { createAuthenticator } = await importEntry("", "./adapter");
  const { createDpopProof } = await importEntry("", "./client");
  const options = { ...verifyOptions(notarizer.publicKey), dpop: "optional", dpopOptions: { origin: ORIGIN } };
  const key = await sessionKey();
  const [token] = await mintTokens(notarizer, 1, { organization_id: ORGANIZATION_ID, public_key: key.publicKey });
  log(`dpop: minting ${fmt(count)} tokens and ${fmt(count)} proofs`);
  const coldTokens = await mintTokens(notarizer, count);
  const proofs = [];
  for (let index = 0; index < count; index++) proofs.push(await createDpopProof({ token, method: "GET", url: `${ORIGIN}/me`, privateKey: key.privateKey }));

  log("dpop: bearer cold");
  const cold = await throughput(createAuthenticator(options, reader), coldTokens.map((each) => ({ headers: { authorization: `Bearer ${each}` } })));
  log("dpop: dpop known session");
  const dpopAuthenticator = createAuthenticator(options, reader);
  await dpopAuthenticator.authenticate({ headers: { authorization: `Bearer ${token}` } }); // the session is known
  const dpop = await throughput(dpopAuthenticator, proofs.map((proof) => ({ headers: { authorization: `DPoP ${token}`, dpop: proof } })));
  log("dpop: bearer warm");
  const warm = await throughput(createAuthenticator(options, reader), coldTokens.map(() => ({ headers: { authorization: `Bearer ${token}` } })));

  const ratio = dpop.rate / cold.rate;
  const markdown = table(
    ["measurement", "requests /s", "CPU µs / request"],
    [
      [`bearer cold: ${fmt(count)} distinct tokens`, fmt(cold.rate), fmt(cold.cpuMicroseconds)],
      [`DPoP, known session: ${fmt(count)} distinct proofs`, `${fmt(dpop.rate)} (**${fmt(100 * ratio, 1)}%** of bearer cold)`, fmt(dpop.cpuMicroseconds)],
      ["bearer warm: one cached token", fmt(warm.rate), fmt(warm.cpuMicroseconds)],
    ],
  );
  return { cold, dpop, warm, ratio, markdown };
}

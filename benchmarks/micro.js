// Micro: verifications per second, in this process.
// - reference: @turnkey/crypto's verifySessionJwtSignature (pure JavaScript ECDSA), one at a time;
// - cold: the library's verifier over a pool of distinct tokens larger than its cache, so every
//   call parses, checks the signature (on Node's thread pool), reads the claims and caches the
//   session; 64 calls in flight, as a busy server has;
// - warm: one token again and again, answered from the cache.
import { verifySessionJwtSignature } from "@turnkey/crypto";
import { fmt, importEntry, rate, table, verifyOptions } from "./lib.js";

const IN_FLIGHT = 64;

/** Measures the reference once and each build's cold and warm rates. */
export async function runMicro({ builds, notarizer, tokens, seconds, log }) {
  const ms = seconds * 1000;
  const tokenAt = (index) => tokens[index % tokens.length];
  if (!(await verifySessionJwtSignature(tokens[0], notarizer.publicKey))) throw new Error("the reference refuses the benchmark tokens");

  log("micro: reference");
  const reference = await rate(ms, 1, (index) => verifySessionJwtSignature(tokenAt(index), notarizer.publicKey));
  const results = [];
  for (const build of builds) {
    const { createSessionVerifier } = await importEntry(build.dir, ".");
    log(`micro: ${build.label} cold`);
    const cold = createSessionVerifier(verifyOptions(notarizer.publicKey));
    const coldRate = await rate(ms, IN_FLIGHT, (index) => cold.verify(tokenAt(index)));
    log(`micro: ${build.label} warm`);
    const warm = createSessionVerifier(verifyOptions(notarizer.publicKey));
    // A fresh string per call, as a server slices it from its Authorization header.
    const header = `Bearer ${tokens[0]}`;
    await warm.verify(header.slice(7));
    const warmRate = await rate(ms, 1, () => warm.verify(header.slice(7)));
    results.push({ build, cold: coldRate, warm: warmRate, coldVsReference: coldRate / reference });
  }
  return { reference, results, markdown: microTable(reference, results) };
}

function microTable(reference, results) {
  const headers = ["measurement", ...results.map(({ build }) => `${build.label} /s`)];
  const rows = [
    ["`@turnkey/crypto` verifySessionJwtSignature (reference), one at a time", ...results.map(() => fmt(reference))],
    [`cold: distinct tokens, ${IN_FLIGHT} in flight`, ...results.map((result) => `${fmt(result.cold)} (**${fmt(result.coldVsReference, 1)}x** reference)`)],
    ["warm: one cached token, one at a time", ...results.map((result) => fmt(result.warm))],
  ];
  if (results.length === 2) {
    headers.push(`${results[0].build.label} / ${results[1].build.label}`);
    rows[0].push("");
    rows[1].push(`${fmt(results[0].cold / results[1].cold, 2)}x`);
    rows[2].push(`${fmt(results[0].warm / results[1].warm, 2)}x`);
  }
  return table(headers, rows);
}

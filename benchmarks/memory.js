// Memory: one verifier (default options) takes two floods of distinct tokens, each a mix of valid,
// expired, other organizations', forged (a changed payload under a real signature) and malformed
// ones, more valid tokens than the session cache holds. Heap after a full GC, before and after
// each flood: the first flood fills the caches; if they are bounded, the second adds nothing.
// Runs in a child process with --expose-gc, one per build:
//   node --expose-gc memory.js --child <build dir, "" for the installed package> <valid tokens per flood>
import { fork } from "node:child_process";
import { fmt, importEntry, mintTokens, table, verifyOptions } from "./lib.js";

const MB = 1024 * 1024;

/** Runs the flood against each build, each in its own child process. */
export async function runMemory({ builds, validPerFlood, log }) {
  const results = [];
  for (const build of builds) {
    log(`memory: ${build.label}`);
    const child = fork(new URL(import.meta.url), ["--child", build.dir, String(validPerFlood)], {
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const report = await new Promise((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`memory child (${build.label}) exited with ${code}`)));
    });
    child.disconnect();
    const [before, afterFirst, afterSecond] = report.heap;
    results.push({ build, ...report, growth: afterFirst - before, secondGrowth: afterSecond - afterFirst });
  }
  return { results, markdown: memoryTable(results) };
}

function memoryTable(results) {
  const mb = (bytes) => `${fmt(bytes / MB, 1)} MB`;
  const signed = (bytes) => `${bytes >= 0 ? "+" : ""}${mb(bytes)}`;
  const { perFlood, outcomes } = results[0];
  const mix = Object.entries(perFlood).map(([kind, count]) => `${fmt(count)} ${kind}`).join(", ");
  return [
    `Each flood: ${mix} (all distinct). Outcomes of the first flood (${results[0].build.label}): ` +
      `${Object.entries(outcomes).map(([code, count]) => `${fmt(count)} ${code}`).join(", ")}.`,
    "",
    table(
      ["build", "heap before", "after flood 1", "after flood 2", "flood 2 added"],
      results.map(({ build, heap, growth, secondGrowth }) => [build.label, mb(heap[0]), `${mb(heap[1])} (${signed(growth)})`, mb(heap[2]), `**${signed(secondGrowth)}**`]),
    ),
  ].join("\n");
}

async function flood(buildDir, validPerFlood) {
  const [{ createSessionVerifier }, { createTestNotarizer }] = await Promise.all([importEntry(buildDir, "."), importEntry("", "./testing")]);
  const notarizer = createTestNotarizer();
  const few = Math.ceil(validPerFlood / 10);
  const floods = [];
  for (let round = 0; round < 2; round++) {
    const valid = await mintTokens(notarizer, validPerFlood);
    const tokens = [
      ...valid,
      ...(await mintTokens(notarizer, few, {}, -3600)), // expired
      ...(await mintTokens(notarizer, few, { organization_id: "0f7c1d0e-0000-4000-8000-00000000beef" })), // not trusted
      ...valid.map((token, index) => forge(token, `${round}-${index}`)),
      ...valid.map((token, index) => `${token.slice(0, -4)}!${round}-${index}`), // not base64url
    ];
    floods.push(tokens);
  }
  const perFlood = { valid: validPerFlood, expired: few, "other organization": few, forged: validPerFlood, malformed: validPerFlood };

  const verifier = createSessionVerifier(verifyOptions(notarizer.publicKey));
  await verifier.verify(floods[0][0]); // code and pools exist before the first measurement
  const heap = [heapAfterGc()];
  const outcomes = {};
  for (const tokens of floods) {
    let next = 0;
    const lane = async () => {
      while (next < tokens.length) {
        // Sliced from a header as a server does, so the caches hold strings of their own.
        const code = await verifier.verify(`Bearer ${tokens[next++]}`.slice(7)).then(() => "accepted", (error) => error.code ?? "other");
        if (heap.length === 1) outcomes[code] = (outcomes[code] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: 64 }, lane));
    heap.push(heapAfterGc());
  }
  return { heap, perFlood, outcomes };
}

/** A valid token's header and signature over a payload with another user_id: a forgery that costs a signature check. */
function forge(token, tag) {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  claims.user_id = `forged-${tag}`;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

if (process.argv[2] === "--child") {
  process.send(await flood(process.argv[3], Number(process.argv[4])));
}

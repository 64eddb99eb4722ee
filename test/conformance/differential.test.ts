// Differential test against the reference implementation, @turnkey/crypto's
// verifySessionJwtSignature (pure JS, noble-curves; a throw counts as a rejection).
//
// The reference checks only the signature, and it is lenient about encodings (it splits on "."
// and keeps the first three parts, accepts padding, standard base64, non-zero trailing bits and
// DER signatures). This library is strict and checks the header and claims too. So the relation
// tested on every token is one-sided, plus agreement where both must accept:
//
//   1. whatever the reference rejects, we reject (equivalently: what we accept, it accepts);
//   2. we never answer invalid_signature for a token whose signature the reference accepts;
//      when it accepts and we refuse, the reason is one it does not check (malformed_token,
//      invalid_claims, token_expired);
//   3. untouched valid tokens, and their high-S twins (s → n − s), are accepted by both.
//
// Every rejection of ours is a TurnkeyAuthError. About 3,000 reference calls (~370/s).
import { verifySessionJwtSignature } from "@turnkey/crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSessionVerifier, isTurnkeyAuthError, type TurnkeyAuthErrorCode } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const TWO_256 = 1n << 256n;
const NOW_MS = Date.UTC(2026, 0, 1);
const NOW_S = NOW_MS / 1000;
const CLOCK_TOLERANCE_S = 5;

const notarizer = createTestNotarizer();
const verifier = createSessionVerifier({
  trustedOrganizations: "any",
  cache: false,
  notarizerPublicKey: notarizer.publicKey,
  now: () => NOW_MS,
});

let referenceCalls = 0;

async function reference(token: string): Promise<boolean> {
  referenceCalls++;
  try {
    return (await verifySessionJwtSignature(token, notarizer.publicKey)) === true;
  } catch {
    return false; // the reference throws on malformed input: a rejection
  }
}

type Outcome = { readonly accepted: true } | { readonly accepted: false; readonly code: TurnkeyAuthErrorCode };

async function ours(token: string): Promise<Outcome> {
  try {
    await verifier.verify(token);
    return { accepted: true };
  } catch (error) {
    if (!isTurnkeyAuthError(error)) throw new Error(`verify threw a non-TurnkeyAuthError: ${String(error)}`);
    return { accepted: false, code: error.code };
  }
}

const CODES_THE_REFERENCE_DOES_NOT_CHECK: readonly TurnkeyAuthErrorCode[] = ["malformed_token", "invalid_claims", "token_expired"];

/** Checks the differential relation on one token and returns both verdicts. */
async function compare(token: string): Promise<{ ours: Outcome; reference: boolean }> {
  const [mine, theirs] = await Promise.all([ours(token), reference(token)]);
  if (mine.accepted && !theirs) throw new Error(`accepted a token the reference rejects: ${token}`);
  if (!mine.accepted && theirs && !CODES_THE_REFERENCE_DOES_NOT_CHECK.includes(mine.code)) {
    throw new Error(`refused with ${mine.code} a token whose signature the reference accepts: ${token}`);
  }
  return { ours: mine, reference: theirs };
}

// ---------------------------------------------------------------------------------------------
// Token surgery

type Parts = [string, string, string];

function partsOf(token: string): Parts {
  const parts = token.split(".");
  expect(parts).toHaveLength(3);
  return parts as Parts;
}

function bigOf(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
}

function bytes32(value: bigint): Buffer {
  return Buffer.from((((value % TWO_256) + TWO_256) % TWO_256).toString(16).padStart(64, "0"), "hex");
}

function scalars(token: string): { r: bigint; s: bigint } {
  const signature = Buffer.from(partsOf(token)[2], "base64url");
  return { r: bigOf(signature.subarray(0, 32)), s: bigOf(signature.subarray(32)) };
}

function withScalars(token: string, r: bigint, s: bigint): string {
  const [header, payload] = partsOf(token);
  return `${header}.${payload}.${Buffer.concat([bytes32(r), bytes32(s)]).toString("base64url")}`;
}

function derInteger(value: bigint): Buffer {
  let body = Buffer.from(value.toString(16).padStart(64, "0"), "hex");
  while (body.length > 1 && body[0] === 0 && ((body[1] as number) & 0x80) === 0) body = body.subarray(1);
  if (((body[0] as number) & 0x80) !== 0) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

function derSignature(token: string): string {
  const { r, s } = scalars(token);
  const sequence = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, sequence.length]), sequence]).toString("base64url");
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The same bytes with the unused low bits of the last character set: non-canonical base64url. */
function withTrailingBits(segment: string): string {
  const rest = segment.length % 4;
  if (rest === 0) return segment;
  const last = BASE64URL.indexOf(segment.at(-1) as string);
  const unusedBits = rest === 2 ? 0x0f : 0x03;
  return segment.slice(0, -1) + BASE64URL[last | unusedBits];
}

function flipDecodedBit(token: string, segment: number, position: number, bit: number): string {
  const parts = partsOf(token);
  const decoded = Buffer.from(parts[segment] as string, "base64url");
  const index = position % decoded.length;
  decoded[index] = (decoded[index] as number) ^ (1 << bit);
  parts[segment] = decoded.toString("base64url");
  return parts.join(".");
}

function replaceChar(token: string, position: number, replacement: string): string {
  const index = position % token.length;
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

function flipCharBit(token: string, position: number, bit: number): string {
  const index = position % token.length;
  return replaceChar(token, index, String.fromCharCode(token.charCodeAt(index) ^ (1 << bit)));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const hexByte = fc.integer({ min: 0, max: 255 }).map((byte) => byte.toString(16).padStart(2, "0"));
const compressedKey = fc
  .tuple(fc.constantFrom("02", "03"), fc.array(hexByte, { minLength: 32, maxLength: 32 }))
  .map(([prefix, body]) => prefix + body.join(""));
const junk = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  fc.constant(""),
  fc.constant(undefined), // dropped by JSON.stringify: the claim is missing
);
const futureExp = fc.integer({ min: NOW_S + CLOCK_TOLERANCE_S + 1, max: NOW_S + 86_400 * 365 });
const pastExp = fc.integer({ min: 0, max: NOW_S - CLOCK_TOLERANCE_S });

/** Valid Turnkey claims, with optional profile claims. */
const validClaims = fc.record(
  {
    exp: futureExp,
    public_key: compressedKey,
    session_type: fc.oneof(fc.constantFrom("SESSION_TYPE_READ_WRITE", "SESSION_TYPE_READ_ONLY"), fc.string({ minLength: 1, maxLength: 20 })),
    user_id: fc.uuid(),
    organization_id: fc.uuid(),
    session_profile_id: fc.uuid(),
    scope: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ["exp", "public_key", "session_type", "user_id", "organization_id"] },
);

/** Claims of any shape: each one valid, of a wrong type, or missing. */
const randomClaims = fc.record(
  {
    exp: fc.oneof(futureExp, pastExp, fc.double({ min: NOW_S, max: NOW_S + 1e6, noNaN: true }), junk),
    public_key: fc.oneof(compressedKey, junk),
    session_type: fc.oneof(fc.constant("SESSION_TYPE_READ_WRITE"), junk),
    user_id: fc.oneof(fc.uuid(), junk),
    organization_id: fc.oneof(fc.uuid(), junk),
    session_profile_id: fc.oneof(fc.uuid(), junk),
    scope: fc.oneof(fc.string(), junk),
  },
  { requiredKeys: [] },
);

/** What this library must answer for correctly signed claims (the model of session.ts). */
function expectedForSignedClaims(claims: Record<string, unknown>): "accepted" | TurnkeyAuthErrorCode {
  const json = JSON.parse(JSON.stringify(claims)) as Record<string, unknown>; // what the token carries
  for (const name of ["public_key", "session_type", "user_id", "organization_id"]) {
    const value = json[name];
    if (typeof value !== "string" || value === "") return "invalid_claims";
  }
  if (typeof json.exp !== "number" || !Number.isFinite(json.exp)) return "invalid_claims";
  if (!/^(?:0[23][0-9a-fA-F]{64}|04[0-9a-fA-F]{128})$/.test(json.public_key as string)) return "invalid_claims";
  for (const name of ["session_profile_id", "scope"]) {
    if (name in json && typeof json[name] !== "string") return "invalid_claims";
  }
  return json.exp <= NOW_S - CLOCK_TOLERANCE_S ? "token_expired" : "accepted";
}

/** Any claims over valid defaults, signed as given (sign() itself refuses claims it would not mint). */
const sign = async (claims: object): Promise<string> =>
  notarizer.signRaw({ payload: { ...payloadOf(await notarizer.sign({}, { now: NOW_MS })), ...claims } });

/** A mutation of a token, named for the failure report, with the codes we may answer. */
interface Mutation {
  readonly name: string;
  readonly apply: (token: string) => string;
  readonly codes: readonly TurnkeyAuthErrorCode[];
}
const MALFORMED: readonly TurnkeyAuthErrorCode[] = ["malformed_token"];
const MALFORMED_OR_SIGNATURE: readonly TurnkeyAuthErrorCode[] = ["malformed_token", "invalid_signature"];
const mutation = (name: string, apply: (token: string) => string, codes = MALFORMED_OR_SIGNATURE): Mutation => ({ name, apply, codes });

const bitFlips = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 0, max: 7 }))
    .map(([segment, position, bit]) =>
      mutation(`flip decoded bit ${bit} of byte ${position} in segment ${segment}`, (token) =>
        flipDecodedBit(token, segment, position, bit),
      ),
    ),
  fc
    .tuple(fc.nat(), fc.integer({ min: 0, max: 7 }))
    .map(([position, bit]) => mutation(`flip bit ${bit} of character ${position}`, (token) => flipCharBit(token, position, bit))),
  fc
    .tuple(fc.nat(), fc.constantFrom(...BASE64URL, ".", "=", "+", "/", " ", "é", "\u0000", "\uFF21"))
    .map(([position, char]) =>
      mutation(`replace character ${position} by ${JSON.stringify(char)}`, (token) => replaceChar(token, position, char)),
    ),
);

const truncationsAndExtensions = fc.oneof(
  // Down to one character (the empty string is missing_token, tested in test/hostile).
  fc.nat().map((cut) => mutation(`truncate to ${cut}`, (token) => token.slice(0, (cut % (token.length - 1)) + 1), MALFORMED)),
  // Dropping leading characters can leave a header that still decodes (e.g. to JSON after spaces).
  fc.nat().map((cut) => mutation(`drop the first ${cut}`, (token) => token.slice((cut % (token.length - 1)) + 1))),
  fc
    .string({ minLength: 1, maxLength: 8, unit: fc.constantFrom(...BASE64URL, ".", "=") })
    .map((tail) => mutation(`append ${JSON.stringify(tail)}`, (token) => token + tail, MALFORMED)),
  fc.string({ minLength: 1, maxLength: 8 }).map((tail) => mutation(`append ${JSON.stringify(tail)}`, (token) => token + tail, MALFORMED)),
  fc.string({ minLength: 1, maxLength: 8 }).map((head) => mutation(`prepend ${JSON.stringify(head)}`, (token) => head + token)),
);

function inSegment(segment: number, name: string, rewrite: (text: string) => string): Mutation {
  return mutation(`segment ${segment}: ${name}`, (token) => {
    const parts = partsOf(token);
    parts[segment] = rewrite(parts[segment] as string);
    return parts.join(".");
  });
}

const reEncodings = fc.oneof(
  fc.integer({ min: 0, max: 2 }).chain((segment) =>
    fc.constantFrom(
      inSegment(segment, "padded with =", (text) => text + "=".repeat(text.length % 4 === 0 ? 4 : 4 - (text.length % 4))),
      inSegment(segment, "standard base64 with padding", (text) => Buffer.from(text, "base64url").toString("base64")),
      inSegment(segment, "non-zero trailing bits", withTrailingBits),
      inSegment(segment, "percent-encoded", (text) => text.replace(/[A-Z]/, (letter) => `%${letter.charCodeAt(0).toString(16)}`)),
    ),
  ),
  fc.constantFrom(
    inSegment(2, "signature re-encoded as DER", (text) => derSignature(`a.b.${text}`)),
    inSegment(2, "signature in hex", (text) => Buffer.from(text, "base64url").toString("hex")),
    mutation("surrounding whitespace", (token) => ` ${token}\n`, MALFORMED),
    inSegment(0, "header re-serialised with spaces", () => Buffer.from('{ "alg": "ES256", "typ": "JWT" }').toString("base64url")),
    inSegment(1, "payload re-serialised with spaces", (text) =>
      Buffer.from(JSON.stringify(JSON.parse(Buffer.from(text, "base64url").toString("utf8")), null, 1)).toString("base64url"),
    ),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(" ", "\t", "\n", "\r\n", "\u00a0", "\u200b")).map(([position, space]) =>
    mutation(
      `insert ${JSON.stringify(space)} at ${position}`,
      (token) => {
        const index = position % token.length;
        return token.slice(0, index) + space + token.slice(index);
      },
      MALFORMED,
    ),
  ),
);

function reorder(name: string, build: (h: string, p: string, s: string) => string, codes = MALFORMED): Mutation {
  return mutation(name, (token) => build(...partsOf(token)), codes);
}

const segmentSurgery = fc.constantFrom(
  reorder("swap header and payload", (h, p, s) => `${p}.${h}.${s}`),
  reorder("swap payload and signature", (h, p, s) => `${h}.${s}.${p}`),
  reorder("swap header and signature", (h, p, s) => `${s}.${p}.${h}`),
  reorder("header as payload", (h, _p, s) => `${h}.${h}.${s}`, ["invalid_signature"]),
  reorder("fourth segment", (h, p, s) => `${h}.${p}.${s}.${s}`),
  reorder("trailing dot", (h, p, s) => `${h}.${p}.${s}.`),
  reorder("no signature segment", (h, p) => `${h}.${p}`),
  reorder("empty signature", (h, p) => `${h}.${p}.`),
  reorder("empty header", (_h, p, s) => `.${p}.${s}`),
  reorder("empty payload", (h, _p, s) => `${h}..${s}`),
  reorder("alg none, no signature", (_h, p) => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${p}.`),
  reorder("alg none, signature kept", (_h, p, s) => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${p}.${s}`),
);

function scalarMutation(name: string, rewrite: (r: bigint, s: bigint) => [bigint, bigint]): Mutation {
  return mutation(name, (token) => withScalars(token, ...rewrite(scalars(token).r, scalars(token).s)), ["invalid_signature"]);
}

const scalarSurgery = fc.oneof(
  fc.bigInt({ min: 1n, max: 1n << 64n }).chain((delta) =>
    fc.constantFrom(
      scalarMutation(`r + ${delta}`, (r, s) => [r + delta, s]),
      scalarMutation(`s + ${delta}`, (r, s) => [r, s + delta]),
      scalarMutation(`s − ${delta}`, (r, s) => [r, s - delta]),
      scalarMutation(`n − s, then + ${delta}`, (r, s) => [r, N - s + delta]),
    ),
  ),
  fc.constantFrom(
    scalarMutation("high-S twin: s = n − s", (r, s) => [r, N - s]),
    scalarMutation("r = 0", (_r, s) => [0n, s]),
    scalarMutation("s = 0", (r) => [r, 0n]),
    scalarMutation("r = s = 0", () => [0n, 0n]),
    scalarMutation("r = n", (_r, s) => [N, s]),
    scalarMutation("s = n", (r) => [r, N]),
    scalarMutation("r + n (mod 2^256)", (r, s) => [r + N, s]),
    scalarMutation("s + n (mod 2^256)", (r, s) => [r, s + N]),
    scalarMutation("r = n − r", (r, s) => [N - r, s]),
    scalarMutation("r, s swapped", (r, s) => [s, r]),
    scalarMutation("s = r", (r) => [r, r]),
    scalarMutation("r = s = n − 1", () => [N - 1n, N - 1n]),
    scalarMutation("r = 1, s = 1", () => [1n, 1n]),
    scalarMutation("all 0xff", () => [TWO_256 - 1n, TWO_256 - 1n]),
  ),
);

/** Runs a mutation family: the differential relation, and the code we answer. */
async function checkMutation(claims: object, { apply, codes }: Mutation): Promise<{ ours: Outcome; reference: boolean }> {
  const token = await sign(claims);
  const mutated = apply(token);
  const verdicts = await compare(mutated);
  if (mutated === token) {
    expect(verdicts.ours).toEqual({ accepted: true });
  } else {
    expect(verdicts.ours.accepted).toBe(false);
    if (!verdicts.ours.accepted) expect(codes).toContain(verdicts.ours.code);
  }
  return verdicts;
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(partsOf(token)[1], "base64url").toString("utf8")) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------

describe("differential against @turnkey/crypto verifySessionJwtSignature", () => {
  it("untouched valid tokens: both accept", async () => {
    await fc.assert(
      fc.asyncProperty(validClaims, async (claims) => {
        const { ours: mine, reference: theirs } = await compare(await sign(claims));
        expect(theirs).toBe(true);
        expect(mine).toEqual({ accepted: true });
      }),
      { numRuns: 200 },
    );
  });

  it("high-S and low-S twins (s → n − s): both accept both forms", async () => {
    let highS = 0;
    await fc.assert(
      fc.asyncProperty(validClaims, async (claims) => {
        const token = await sign(claims);
        const { r, s } = scalars(token);
        if (s > N / 2n) highS++;
        for (const form of [token, withScalars(token, r, N - s)]) {
          const { ours: mine, reference: theirs } = await compare(form);
          expect(theirs).toBe(true);
          expect(mine).toEqual({ accepted: true });
        }
      }),
      { numRuns: 150 },
    );
    // The notarizer does not normalise s, so high-S originals were among them, not only twins.
    expect(highS).toBeGreaterThan(0);
  });

  it("bit flips and character substitutions in any segment", async () => {
    let rejectedByBoth = 0;
    await fc.assert(
      fc.asyncProperty(validClaims, bitFlips, async (claims, flip) => {
        const { ours: mine, reference: theirs } = await checkMutation(claims, flip);
        if (!mine.accepted && !theirs) rejectedByBoth++;
      }),
      { numRuns: 500 },
    );
    expect(rejectedByBoth).toBeGreaterThan(250);
  });

  it("truncations and extensions", async () => {
    await fc.assert(
      fc.asyncProperty(validClaims, truncationsAndExtensions, async (claims, change) => {
        await checkMutation(claims, change);
      }),
      { numRuns: 300 },
    );
  });

  it("re-encodings (padding, standard base64, trailing bits, DER, hex, whitespace, re-serialised JSON)", async () => {
    let referenceAccepted = 0;
    await fc.assert(
      fc.asyncProperty(validClaims, reEncodings, async (claims, change) => {
        if ((await checkMutation(claims, change)).reference) referenceAccepted++;
      }),
      { numRuns: 300 },
    );
    // The reference is lenient and accepts many of these; the relation above still holds.
    expect(referenceAccepted).toBeGreaterThan(0);
  });

  it("a DER-encoded signature: the reference accepts it, we refuse it as malformed_token", async () => {
    const token = await sign({});
    const [header, payload] = partsOf(token);
    const { ours: mine, reference: theirs } = await compare(`${header}.${payload}.${derSignature(token)}`);
    expect(theirs).toBe(true);
    expect(mine).toEqual({ accepted: false, code: "malformed_token" });
  });

  it("a fourth segment: the reference ignores it, we refuse the token as malformed_token", async () => {
    const { ours: mine, reference: theirs } = await compare(`${await sign({})}.extra`);
    expect(theirs).toBe(true);
    expect(mine).toEqual({ accepted: false, code: "malformed_token" });
  });

  it.each([
    ["a padded signature", (s: string) => `${s}==`],
    ["a standard-base64 signature", (s: string) => Buffer.from(s, "base64url").toString("base64")],
    ["non-zero trailing bits in the signature", withTrailingBits],
  ])("%s: the reference accepts it, we refuse it as malformed_token", async (_name, rewrite) => {
    // The signature chosen so that the rewrite really changes it (standard base64 needs a - or _).
    let token = await sign({});
    while (rewrite(partsOf(token)[2]) === partsOf(token)[2] || !/[-_]/.test(partsOf(token)[2])) token = await sign({});
    const [header, payload, signature] = partsOf(token);
    const { ours: mine, reference: theirs } = await compare(`${header}.${payload}.${rewrite(signature)}`);
    expect(theirs).toBe(true);
    expect(mine).toEqual({ accepted: false, code: "malformed_token" });
  });

  it("segment swaps, duplicates, extra and missing segments, alg none", async () => {
    await fc.assert(
      fc.asyncProperty(validClaims, segmentSurgery, async (claims, change) => {
        await checkMutation(claims, change);
      }),
      { numRuns: 150 },
    );
  });

  it("modified r and s: only the original and its high-S twin verify, for both", async () => {
    await fc.assert(
      fc.asyncProperty(validClaims, scalarSurgery, async (claims, change) => {
        const token = await sign(claims);
        const mutated = change.apply(token);
        const { ours: mine, reference: theirs } = await compare(mutated);
        const before = scalars(token);
        const after = scalars(mutated);
        const isOriginalOrTwin = after.r === before.r && (after.s === before.s || after.s === N - before.s);
        expect(theirs).toBe(isOriginalOrTwin);
        expect(mine).toEqual(isOriginalOrTwin ? { accepted: true } : { accepted: false, code: "invalid_signature" });
      }),
      { numRuns: 400 },
    );
  });

  it("random claims, correctly signed: the reference accepts; we answer as the claims deserve", async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(randomClaims, async (claims) => {
        const token = await sign(claims);
        const { ours: mine, reference: theirs } = await compare(token);
        expect(theirs).toBe(true);
        const expected = expectedForSignedClaims(payloadOf(token));
        expect(mine.accepted ? "accepted" : mine.code).toBe(expected);
        seen.add(expected);
      }),
      { numRuns: 400 },
    );
    expect(seen).toEqual(new Set(["accepted", "invalid_claims", "token_expired"]));
  });

  it("random headers, correctly signed: only alg ES256, typ JWT or absent, and no crit pass", async () => {
    const header = fc.record(
      {
        alg: fc.oneof(fc.constant("ES256"), fc.constantFrom("none", "HS256", "es256", "ES384", "RS256", "ES256K", "ES256 "), junk),
        typ: fc.oneof(fc.constant("JWT"), fc.constantFrom("jwt", "at+jwt", "JOSE"), junk),
        crit: fc.oneof(fc.constant(["exp"]), junk),
        kid: fc.string({ maxLength: 10 }),
        jku: fc.constant("https://attacker.example/jwks.json"),
        jwk: fc.constant({ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(header, async (fields) => {
        const token = await notarizer.sign({}, { now: NOW_MS, header: fields });
        const { ours: mine, reference: theirs } = await compare(token);
        expect(theirs).toBe(true); // the reference never looks at the header
        const json = JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
        const headerIsOurs = json.alg === "ES256" && !("crit" in json) && (json.typ === undefined || json.typ === "JWT");
        expect(mine).toEqual(headerIsOurs ? { accepted: true } : { accepted: false, code: "malformed_token" });
        if (mine.accepted) accepted++;
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it("ran thousands of reference verifications, within budget", () => {
    expect(referenceCalls).toBeGreaterThan(2_000);
    expect(referenceCalls).toBeLessThan(5_000);
  });
});

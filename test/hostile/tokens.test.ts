// Hostile input for the core (issue 6): property tests against an independent model of what the
// verifier must answer, plus a named corpus. For every input, verification either grants exactly
// what a correctly signed, well-formed, unexpired Turnkey session deserves, or rejects with a
// TurnkeyAuthError of the right code; it never throws anything else, never hangs, and never
// quotes the token in its message.
import { createHash, createHmac, createPublicKey, generateKeyPairSync, sign as signWithKey, verify as nodeVerify } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createSessionVerifier,
  isTurnkeyAuthError,
  TurnkeyAuthError,
  type SessionVerifier,
  type TurnkeyAuthErrorCode,
  type TurnkeySession,
  type VerifyOptions,
} from "../../src/index.js";
import { createTestNotarizer, type TestNotarizer } from "../../src/testing/index.js";

// ---------------------------------------------------------------------------------------------
// The test notarizer mints payloads and headers byte for byte (duplicate keys, 1e309, invalid
// UTF-8…), in Turnkey's scheme: ECDSA P-256 over sha256(sha256(h.p)), raw r‖s.

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const NOW_MS = Date.UTC(2026, 0, 1);
const NOW_S = NOW_MS / 1000;
const TOLERANCE_S = 5;
const MAX_TOKEN_LENGTH = 8192;

const notarizerKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey; // also signs other schemes below
const notarizer = createTestNotarizer({ privateKey: notarizerKey });
const notarizerPublicKey = createPublicKey(notarizerKey);
const attacker = createTestNotarizer();

const b64 = (data: string | Uint8Array): string => Buffer.from(data).toString("base64url");
const HEADER = '{"alg":"ES256","typ":"JWT"}';
const HEADER_B64 = b64(HEADER);

/** Mints a token from raw JSON text (or bytes): whatever we write is exactly what is signed. */
function mint(payload: string | Uint8Array, header: string = HEADER, signer: TestNotarizer = notarizer): string {
  return signer.signRaw({ header, payload });
}

/** A P-256 public key as a JWK (what a `jwk` header would carry), from its uncompressed hex. */
function jwkOf(hex: string): object {
  return { kty: "EC", crv: "P-256", x: b64(Buffer.from(hex.slice(2, 66), "hex")), y: b64(Buffer.from(hex.slice(66), "hex")) };
}

const VALID_PUBLIC_KEY = "0399fe2ace6208af0adf848f44bc48210b594b7e69ecd91ec968fd75b3bb448336";

/** Claims as raw JSON literals, so any value (1e309, duplicates…) can be written. */
function claimsJson(literals: Record<string, string | undefined> = {}, extra = ""): string {
  const base: Record<string, string | undefined> = {
    exp: String(NOW_S + 900),
    public_key: JSON.stringify(VALID_PUBLIC_KEY),
    session_type: '"SESSION_TYPE_READ_WRITE"',
    user_id: '"user-1"',
    organization_id: '"org-1"',
    ...literals,
  };
  const members = Object.entries(base)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, literal]) => `${JSON.stringify(name)}:${literal}`);
  return `{${[...members, ...(extra === "" ? [] : [extra])].join(",")}}`;
}

const VALID = mint(claimsJson());

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return { trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, now: () => NOW_MS, cache: false, ...overrides };
}

const uncached = createSessionVerifier(options());
const cached = createSessionVerifier(options({ cache: { maxEntries: 64 } }));

// ---------------------------------------------------------------------------------------------
// The model: what the verifier must answer, written independently of src/ (Buffer for base64,
// node:crypto's synchronous verify for ECDSA).

type Verdict = "accepted" | TurnkeyAuthErrorCode;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function canonicalBytes(segment: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = Buffer.from(segment, "base64url");
  return bytes.toString("base64url") === segment ? bytes : undefined;
}

function jsonOf(bytes: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(utf8.decode(bytes)) };
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function scalarInRange(bytes: Buffer): boolean {
  const value = BigInt(`0x${bytes.toString("hex")}`);
  return value > 0n && value < N;
}

function model(token: unknown, maxTokenLength = MAX_TOKEN_LENGTH): Verdict {
  if (typeof token !== "string" || token === "") return "missing_token";
  if (token.length > maxTokenLength) return "malformed_token";
  const parts = token.split(".");
  if (parts.length !== 3) return "malformed_token";
  const [h, p, s] = parts as [string, string, string];
  if (h === "" || p === "") return "malformed_token";
  const headerBytes = canonicalBytes(h);
  const header = headerBytes && jsonOf(headerBytes);
  if (header === undefined || !isObject(header.value)) return "malformed_token";
  if (header.value.alg !== "ES256" || Object.hasOwn(header.value, "crit")) return "malformed_token";
  if (header.value.typ !== undefined && header.value.typ !== "JWT") return "malformed_token";
  const payloadBytes = canonicalBytes(p);
  const signature = canonicalBytes(s);
  if (payloadBytes === undefined || signature === undefined || signature.length !== 64) return "malformed_token";
  if (!scalarInRange(signature.subarray(0, 32)) || !scalarInRange(signature.subarray(32))) return "invalid_signature";
  const firstDigest = createHash("sha256").update(`${h}.${p}`, "latin1").digest();
  if (!nodeVerify("sha256", firstDigest, { key: notarizerPublicKey, dsaEncoding: "ieee-p1363" }, signature)) {
    return "invalid_signature";
  }
  const claims = jsonOf(payloadBytes);
  if (claims === undefined || !isObject(claims.value)) return "invalid_claims";
  const c = claims.value;
  for (const name of ["public_key", "session_type", "user_id", "organization_id"]) {
    if (typeof c[name] !== "string" || c[name] === "") return "invalid_claims";
  }
  if (typeof c.exp !== "number" || !Number.isFinite(c.exp)) return "invalid_claims";
  if (!/^(?:0[23][0-9a-fA-F]{64}|04[0-9a-fA-F]{128})$/.test(c.public_key as string)) return "invalid_claims";
  for (const name of ["session_profile_id", "scope"]) {
    if (Object.hasOwn(c, name) && typeof c[name] !== "string") return "invalid_claims";
  }
  return c.exp <= NOW_S - TOLERANCE_S ? "token_expired" : "accepted";
}

// ---------------------------------------------------------------------------------------------
// Running the verifier: never hangs, only TurnkeyAuthErrors, messages never quote the token.

const HANG_MS = 2_000;

async function outcome(verifier: SessionVerifier, token: unknown): Promise<{ verdict: Verdict; session?: TurnkeySession; error?: TurnkeyAuthError }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`verify did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const session = await Promise.race([verifier.verify(token as string), hang]);
    return { verdict: "accepted", session };
  } catch (error) {
    if (!(error instanceof TurnkeyAuthError) || !isTurnkeyAuthError(error)) {
      throw new Error(`verify rejected with something other than a TurnkeyAuthError: ${String(error)}`);
    }
    return { verdict: error.code, error };
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts the message, the serialised error and the challenge never contain the token. */
function expectNoLeak(error: TurnkeyAuthError, token: unknown): void {
  if (typeof token !== "string" || token === "") return;
  const texts = [error.message, String(error.stack), JSON.stringify(error), String(error.wwwAuthenticate)];
  // Fragments of 8+ characters: shorter ones ("a", " ") occur in any English sentence.
  const fragments = [token, ...token.split(".")].filter((fragment) => fragment.length >= 8);
  for (const text of texts) for (const fragment of fragments) expect(text.includes(fragment)).toBe(false);
  expect(error.cause).toBeUndefined();
  expect(error.status).toBe(401);
}

/** The verifier's answer equals the model's, with and without the cache (twice with it). */
async function expectModel(token: unknown, expected: Verdict = model(token)): Promise<Verdict> {
  for (const [verifier, times] of [[uncached, 1], [cached, 2]] as const) {
    for (let round = 0; round < times; round++) {
      const result = await outcome(verifier, token);
      expect(result.verdict).toBe(expected);
      if (result.error !== undefined) expectNoLeak(result.error, token);
      if (result.session !== undefined) expect(result.session.token).toBe(token);
    }
  }
  return expected;
}

let pollutionCheck: string[] = [];
afterEach(() => {
  // No test may leave anything on Object.prototype.
  for (const name of ["polluted", "alg", "crit", "exp", "organization_id", "user_id", ...pollutionCheck]) {
    expect(Object.hasOwn(Object.prototype, name), name).toBe(false);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  pollutionCheck = [];
});

// ---------------------------------------------------------------------------------------------
// Mutations of a valid token

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const oddChars = fc.constantFrom(" ", "\t", "\n", "\r", "\u00a0", "\u200b", "\ufeff", "é", "\u0165", "\uff21", "\ud800", "😀", "\u0000", "=", "+", "/", "%", ".", "\\");

const validClaimsJson = fc
  .record({
    exp: fc.integer({ min: NOW_S - 100, max: NOW_S + 100_000 }),
    user_id: fc.uuid(),
    organization_id: fc.uuid(),
    extra: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
  })
  .map(({ exp, user_id, organization_id, extra }) =>
    claimsJson(
      { exp: String(exp), user_id: JSON.stringify(user_id), organization_id: JSON.stringify(organization_id) },
      extra === undefined ? "" : `"scope":${JSON.stringify(extra)}`,
    ),
  );

type Mutate = (token: string) => string;

function atSegment(segment: number, rewrite: (text: string) => string): Mutate {
  return (token) => {
    const parts = token.split(".");
    parts[segment] = rewrite(parts[segment] ?? "");
    return parts.join(".");
  };
}

const mutations: fc.Arbitrary<Mutate> = fc.oneof(
  // bit flips in the decoded bytes of any segment, re-encoded canonically
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 0, max: 7 })).map(([segment, at, bit]) =>
    atSegment(segment, (text) => {
      const bytes = Buffer.from(text, "base64url");
      if (bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ (1 << bit);
      return b64(bytes);
    }),
  ),
  // bit flips in the characters
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 15 })).map(([at, bit]) => (token: string) => {
    const index = at % token.length;
    return token.slice(0, index) + String.fromCharCode(token.charCodeAt(index) ^ (1 << bit)) + token.slice(index + 1);
  }),
  // substitutions, insertions (whitespace, non-ASCII, padding…)
  fc.tuple(fc.nat(), fc.oneof(oddChars, fc.constantFrom(...BASE64URL)), fc.boolean()).map(([at, char, insert]) => (token: string) => {
    const index = at % token.length;
    return token.slice(0, index) + char + token.slice(insert ? index : index + 1);
  }),
  // truncation and extension
  fc.nat().map((cut) => (token: string) => token.slice(0, cut % token.length)),
  fc.string({ minLength: 1, maxLength: 6 }).map((tail) => (token: string) => token + tail),
  fc.string({ minLength: 1, maxLength: 6 }).map((head) => (token: string) => head + token),
  // re-encodings: padding, standard base64 (+/ and =), upper/lower case
  fc.integer({ min: 0, max: 2 }).chain((segment) =>
    fc.constantFrom<Mutate>(
      atSegment(segment, (text) => `${text}=`),
      atSegment(segment, (text) => `${text}==`),
      atSegment(segment, (text) => Buffer.from(text, "base64url").toString("base64")),
      atSegment(segment, (text) => Buffer.from(text, "base64url").toString("base64").replace(/=+$/, "")),
      atSegment(segment, (text) => text.toUpperCase()),
      atSegment(segment, (text) => text.toLowerCase()),
      atSegment(segment, (text) => Buffer.from(text, "base64url").toString("hex")),
      atSegment(segment, (text) => ` ${text} `),
    ),
  ),
  // segment surgery
  fc.constantFrom<Mutate>(
    (token) => token.split(".").reverse().join("."),
    (token) => {
      const [h, p, s] = token.split(".");
      return `${p}.${h}.${s}`;
    },
    (token) => {
      const [h, p, s] = token.split(".");
      return `${h}.${s}.${p}`;
    },
    (token) => {
      const [h, , s] = token.split(".");
      return `${h}.${h}.${s}`;
    },
    (token) => `${token}.`,
    (token) => `.${token}`,
    (token) => token.replace(".", ".."),
    (token) => token.slice(0, token.lastIndexOf(".")),
    (token) => `${token}.${token.split(".")[2]}`,
    (token) => token.replaceAll(".", ""),
  ),
);

// ---------------------------------------------------------------------------------------------

describe("hostile tokens: properties against the model", () => {
  it("the model and the verifier agree on the valid token and on the minting scheme", async () => {
    expect(model(VALID)).toBe("accepted");
    expect(await expectModel(VALID)).toBe("accepted");
  });

  it("any mutation of a valid token: the right code, never granted unless the model grants", async () => {
    const seen = new Set<Verdict>();
    await fc.assert(
      fc.asyncProperty(validClaimsJson, fc.array(mutations, { minLength: 1, maxLength: 3 }), async (payload, steps) => {
        const token = steps.reduce((current, step) => (current === "" ? current : step(current)), mint(payload));
        seen.add(await expectModel(token));
      }),
      { numRuns: 1_500 },
    );
    // The mutations reached every layer.
    for (const verdict of ["malformed_token", "invalid_signature"] as const) expect(seen).toContain(verdict);
  });

  it("arbitrary strings and three-segment base64url strings", async () => {
    const segment = fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 120 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 100 }), fc.tuple(segment, segment, segment).map((parts) => parts.join("."))),
        async (token) => {
          await expectModel(token);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("correctly signed headers of any shape: only alg ES256 (own property), no crit, typ JWT or absent", async () => {
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
    const member = fc.oneof(
      fc.tuple(fc.constant("alg"), fc.oneof(fc.constantFrom('"ES256"', '"none"', '"None"', '"HS256"', '"es256"', '"ES384"', '"ES256K"', '"EdDSA"', '"ES256\\u0000"', '["ES256"]'), value.map((v) => JSON.stringify(v)))),
      fc.tuple(fc.constant("typ"), fc.oneof(fc.constantFrom('"JWT"', '"jwt"', '"at+jwt"', "null"), value.map((v) => JSON.stringify(v)))),
      fc.tuple(fc.constantFrom("crit", "kid", "jku", "jwk", "x5u", "x5c", "b64", "zip", "__proto__", "constructor", "prototype"), value.map((v) => JSON.stringify(v))),
    );
    const seen = new Set<Verdict>();
    await fc.assert(
      fc.asyncProperty(fc.array(member, { maxLength: 5 }), async (members) => {
        const header = `{${members.map(([name, literal]) => `${JSON.stringify(name)}:${literal}`).join(",")}}`;
        seen.add(await expectModel(mint(claimsJson(), header)));
      }),
      { numRuns: 600 },
    );
    expect(seen).toEqual(new Set(["accepted", "malformed_token"]));
  });

  it("correctly signed claims of any type: invalid_claims, token_expired or accepted, as the model says", async () => {
    const literal = fc.oneof(
      fc.constantFrom("1e309", "-1e309", "1.5", "-1", "0", "-0", "1e-7", "null", "true", "false", "[]", "{}", '""', '"1767225600"', "[1767229200]", '{"$date":1}', "17672292000000000000000"),
      fc.string({ maxLength: 10 }).map((text) => JSON.stringify(text)),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((number) => JSON.stringify(number)),
      fc.integer({ min: NOW_S - 1000, max: NOW_S + 1000 }).map(String),
      fc.constant(undefined),
    );
    const claimNames = ["exp", "public_key", "session_type", "user_id", "organization_id", "session_profile_id", "scope"] as const;
    const overrides = fc.dictionary(fc.constantFrom(...claimNames), literal, { maxKeys: 3 });
    const seen = new Set<Verdict>();
    await fc.assert(
      fc.asyncProperty(overrides, async (literals) => {
        seen.add(await expectModel(mint(claimsJson(literals))));
      }),
      { numRuns: 800 },
    );
    expect(seen).toEqual(new Set(["accepted", "invalid_claims", "token_expired"]));
  });

  it("error messages never contain the token or a segment of it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 8, maxLength: 90 }), fc.integer({ min: 0, max: 2 }), async (segment, at) => {
        const parts = VALID.split(".");
        parts[at] = segment;
        const token = parts.join(".");
        const result = await outcome(uncached, token);
        expect(result.error).toBeDefined();
        expectNoLeak(result.error as TurnkeyAuthError, token);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

const headerB64 = (json: string): string => b64(json);

describe("hostile tokens: named corpus", () => {
  const cases: ReadonlyArray<readonly [string, () => unknown, Verdict]> = [
    // shape
    ["empty string", () => "", "missing_token"],
    ["undefined", () => undefined, "missing_token"],
    ["a number", () => 42, "missing_token"],
    ["an object", () => ({ toString: () => VALID }), "missing_token"],
    ["a String object", () => new String(VALID), "missing_token"],
    ["one segment", () => "abc", "malformed_token"],
    ["two segments", () => VALID.slice(0, VALID.lastIndexOf(".")), "malformed_token"],
    ["four segments", () => `${VALID}.x`, "malformed_token"],
    ["only dots", () => "..", "malformed_token"],
    ["Bearer prefix left on", () => `Bearer ${VALID}`, "malformed_token"],
    ["surrounding whitespace", () => ` ${VALID}`, "malformed_token"],
    ["a newline at the end", () => `${VALID}\n`, "malformed_token"],
    ["padding on the signature", () => `${VALID}==`, "malformed_token"],
    ["standard base64 signature", () => VALID.replace(/[^.]+$/, (s) => Buffer.from(s, "base64url").toString("base64")), "malformed_token"],
    ["non-ASCII lookalike in the payload (ť hashes like e in Latin-1)", () => VALID.replace(/\.(.)/, ".\u0165"), "malformed_token"],
    ["full-width letter", () => VALID.replace("e", "\uff45"), "malformed_token"],
    ["lone surrogate", () => VALID.replace("e", "\ud800"), "malformed_token"],
    ["NUL byte", () => VALID.replace("e", "\u0000"), "malformed_token"],
    // alg and header parameters (all correctly signed by the configured key unless said)
    ["alg none, empty signature", () => `${headerB64('{"alg":"none","typ":"JWT"}')}.${b64(claimsJson())}.`, "malformed_token"],
    ["alg none, signed", () => mint(claimsJson(), '{"alg":"none","typ":"JWT"}'), "malformed_token"],
    ["alg None", () => mint(claimsJson(), '{"alg":"None"}'), "malformed_token"],
    ["alg es256", () => mint(claimsJson(), '{"alg":"es256","typ":"JWT"}'), "malformed_token"],
    ["alg ES384", () => mint(claimsJson(), '{"alg":"ES384","typ":"JWT"}'), "malformed_token"],
    ["alg as an array", () => mint(claimsJson(), '{"alg":["ES256"],"typ":"JWT"}'), "malformed_token"],
    ["alg missing", () => mint(claimsJson(), '{"typ":"JWT"}'), "malformed_token"],
    [
      "alg HS256, HMAC keyed with the notarizer public key (key confusion)",
      () => {
        const input = `${headerB64('{"alg":"HS256","typ":"JWT"}')}.${b64(claimsJson())}`;
        return `${input}.${b64(createHmac("sha256", notarizer.publicKey).update(input).digest())}`;
      },
      "malformed_token",
    ],
    ["crit", () => mint(claimsJson(), '{"alg":"ES256","typ":"JWT","crit":["exp"]}'), "malformed_token"],
    ["crit empty", () => mint(claimsJson(), '{"alg":"ES256","typ":"JWT","crit":[]}'), "malformed_token"],
    ["typ jwt (lower case)", () => mint(claimsJson(), '{"alg":"ES256","typ":"jwt"}'), "malformed_token"],
    ["typ absent", () => mint(claimsJson(), '{"alg":"ES256"}'), "accepted"],
    ["header members reordered", () => mint(claimsJson(), '{"typ":"JWT","alg":"ES256"}'), "accepted"],
    ["header is an array", () => mint(claimsJson(), '["ES256"]'), "malformed_token"],
    ["header is null", () => mint(claimsJson(), "null"), "malformed_token"],
    ["header is not JSON", () => mint(claimsJson(), "alg=ES256"), "malformed_token"],
    ["duplicate alg, last ES256 (JSON.parse keeps the last, RFC 7515 §4)", () => mint(claimsJson(), '{"alg":"none","alg":"ES256"}'), "accepted"],
    ["duplicate alg, last none", () => mint(claimsJson(), '{"alg":"ES256","alg":"none"}'), "malformed_token"],
    ["__proto__ carrying alg (not an own alg)", () => mint(claimsJson(), '{"__proto__":{"alg":"ES256"},"typ":"JWT"}'), "malformed_token"],
    ["__proto__ carrying crit (inert)", () => mint(claimsJson(), '{"alg":"ES256","__proto__":{"crit":["exp"]}}'), "accepted"],
    ["constructor.prototype in the header (inert)", () => mint(claimsJson(), '{"alg":"ES256","constructor":{"prototype":{"polluted":1}}}'), "accepted"],
    // key injection: the header never chooses the key
    ["kid/jku/jwk/x5u headers, signed by the configured key", () => mint(claimsJson(), `{"alg":"ES256","typ":"JWT","kid":"attacker","jku":"https://attacker.example/jwks","x5u":"https://attacker.example/x5u","jwk":${JSON.stringify(jwkOf(attacker.publicKey))}}`), "accepted"],
    ["jwk header naming the attacker's key, signed by the attacker", () => mint(claimsJson(), `{"alg":"ES256","typ":"JWT","jwk":${JSON.stringify(jwkOf(attacker.publicKey))}}`, attacker), "invalid_signature"],
    ["jku header, signed by the attacker", () => mint(claimsJson(), '{"alg":"ES256","typ":"JWT","jku":"https://attacker.example/jwks","kid":"1"}', attacker), "invalid_signature"],
    ["plain token signed by the attacker", () => mint(claimsJson(), HEADER, attacker), "invalid_signature"],
    // signatures
    ["all-zero signature", () => `${VALID.slice(0, VALID.lastIndexOf("."))}.${b64(new Uint8Array(64))}`, "invalid_signature"],
    ["r = 0", () => withScalars(VALID, 0n, scalarsOf(VALID).s), "invalid_signature"],
    ["s = 0", () => withScalars(VALID, scalarsOf(VALID).r, 0n), "invalid_signature"],
    ["r = n", () => withScalars(VALID, N, scalarsOf(VALID).s), "invalid_signature"],
    ["s = n", () => withScalars(VALID, scalarsOf(VALID).r, N), "invalid_signature"],
    ["r = n + 1", () => withScalars(VALID, N + 1n, scalarsOf(VALID).s), "invalid_signature"],
    ["s = 2^256 − 1", () => withScalars(VALID, scalarsOf(VALID).r, (1n << 256n) - 1n), "invalid_signature"],
    ["r = s = n − 1 (in range, wrong)", () => withScalars(VALID, N - 1n, N - 1n), "invalid_signature"],
    ["high-S twin s → n − s", () => withScalars(VALID, scalarsOf(VALID).r, N - scalarsOf(VALID).s), "accepted"],
    ["63-byte signature", () => `${VALID.slice(0, VALID.lastIndexOf("."))}.${b64(Buffer.from(VALID.split(".")[2] as string, "base64url").subarray(1))}`, "malformed_token"],
    ["65-byte signature", () => `${VALID.slice(0, VALID.lastIndexOf("."))}.${b64(Buffer.concat([Buffer.from(VALID.split(".")[2] as string, "base64url"), Buffer.from([0])]))}`, "malformed_token"],
    ["empty signature", () => VALID.slice(0, VALID.lastIndexOf(".") + 1), "malformed_token"],
    ["DER signature", () => `${VALID.slice(0, VALID.lastIndexOf("."))}.${b64(createDer(VALID))}`, "malformed_token"],
    ["another token's signature", () => `${VALID.slice(0, VALID.lastIndexOf("."))}.${mint(claimsJson({ user_id: '"user-2"' })).split(".")[2]}`, "invalid_signature"],
    [
      "single-hash ES256 (OTP-token scheme) by the configured key",
      () => {
        const input = `${HEADER_B64}.${b64(claimsJson())}`;
        return `${input}.${b64(signWithKey("sha256", Buffer.from(input), { key: notarizerKey, dsaEncoding: "ieee-p1363" }))}`;
      },
      "invalid_signature",
    ],
    // claims (all correctly signed)
    ["exp as a string", () => mint(claimsJson({ exp: `"${NOW_S + 900}"` })), "invalid_claims"],
    ["exp as a float in the future", () => mint(claimsJson({ exp: `${NOW_S + 900}.5` })), "accepted"],
    ["exp as a float in the past", () => mint(claimsJson({ exp: `${NOW_S - 900}.5` })), "token_expired"],
    ["exp negative", () => mint(claimsJson({ exp: "-1" })), "token_expired"],
    ["exp 1e309 (Infinity)", () => mint(claimsJson({ exp: "1e309" })), "invalid_claims"],
    ["exp -1e309", () => mint(claimsJson({ exp: "-1e309" })), "invalid_claims"],
    ["exp missing", () => mint(claimsJson({ exp: undefined })), "invalid_claims"],
    ["exp null", () => mint(claimsJson({ exp: "null" })), "invalid_claims"],
    ["exp in an array", () => mint(claimsJson({ exp: `[${NOW_S + 900}]` })), "invalid_claims"],
    ["exp in milliseconds (far future, a number)", () => mint(claimsJson({ exp: String(NOW_MS + 900_000) })), "accepted"],
    ["exp duplicated, last one past", () => mint(claimsJson({}, `"exp":${NOW_S - 900}`)), "token_expired"],
    ["exp duplicated, last one a string", () => mint(claimsJson({}, `"exp":"${NOW_S + 900}"`)), "invalid_claims"],
    ["user_id a number", () => mint(claimsJson({ user_id: "1" })), "invalid_claims"],
    ["user_id empty", () => mint(claimsJson({ user_id: '""' })), "invalid_claims"],
    ["organization_id an array", () => mint(claimsJson({ organization_id: '["org-1"]' })), "invalid_claims"],
    ["organization_id missing", () => mint(claimsJson({ organization_id: undefined })), "invalid_claims"],
    ["session_type an object", () => mint(claimsJson({ session_type: "{}" })), "invalid_claims"],
    ["public_key not hex", () => mint(claimsJson({ public_key: '"zz"' })), "invalid_claims"],
    ["public_key with a trailing newline", () => mint(claimsJson({ public_key: JSON.stringify(`${VALID_PUBLIC_KEY}\n`) })), "invalid_claims"],
    ["public_key with prefix 05", () => mint(claimsJson({ public_key: JSON.stringify(`05${VALID_PUBLIC_KEY.slice(2)}`) })), "invalid_claims"],
    ["scope a number", () => mint(claimsJson({}, '"scope":1')), "invalid_claims"],
    ["session_profile_id null", () => mint(claimsJson({}, '"session_profile_id":null')), "invalid_claims"],
    ["claims only under __proto__", () => mint(`{"exp":${NOW_S + 900},"__proto__":{"public_key":"${VALID_PUBLIC_KEY}","session_type":"S","user_id":"u","organization_id":"o"}}`), "invalid_claims"],
    ["payload an array", () => mint("[]"), "invalid_claims"],
    ["payload a string", () => mint('"claims"'), "invalid_claims"],
    ["payload null", () => mint("null"), "invalid_claims"],
    ["payload not JSON", () => mint("exp=1"), "invalid_claims"],
    ["payload JSON with trailing garbage", () => mint(`${claimsJson()} x`), "invalid_claims"],
    ["payload invalid UTF-8", () => mint(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), "invalid_claims"],
    ["payload deeply nested", () => mint(`${"[".repeat(3000)}${"]".repeat(3000)}`), "invalid_claims"],
  ];

  it.each(cases)("%s", async (_name, make, expected) => {
    const token = make();
    if (typeof token === "string" && expected !== "missing_token") {
      // The model agrees with the named expectation, so both are checked against each other.
      expect(model(token)).toBe(expected);
    }
    await expectModel(token, expected);
  });

  it("__proto__ and constructor claims are inert data: no prototype pollution, nothing inherited", async () => {
    pollutionCheck = ["isAdmin"];
    const token = mint(claimsJson({}, '"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}}'));
    const session = await uncached.verify(token);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(session.claims)).toBe(Object.prototype);
    expect((session.claims as Record<string, unknown>).polluted).toBeUndefined();
    expect((session.claims as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.hasOwn(session.claims, "__proto__")).toBe(true);
    expect((session as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.isFrozen(session.claims)).toBe(true);
  });

  it("duplicate claims: the app sees, and trust is decided on, the same (last) value", async () => {
    const token = mint(claimsJson({ organization_id: '"org-a"' }, '"organization_id":"org-b"'));
    const session = await uncached.verify(token);
    expect(session.organizationId).toBe("org-b");
    expect(session.claims.organization_id).toBe("org-b");
    const trustsA = createSessionVerifier(options({ trustedOrganizations: ["org-a"] }));
    expect((await outcome(trustsA, token)).verdict).toBe("untrusted_organization");
    const trustsB = createSessionVerifier(options({ trustedOrganizations: ["org-b"] }));
    expect((await outcome(trustsB, token)).verdict).toBe("accepted");
  });
});

function scalarsOf(token: string): { r: bigint; s: bigint } {
  const signature = Buffer.from(token.split(".")[2] as string, "base64url");
  return { r: BigInt(`0x${signature.subarray(0, 32).toString("hex")}`), s: BigInt(`0x${signature.subarray(32).toString("hex")}`) };
}

function withScalars(token: string, r: bigint, s: bigint): string {
  const to32 = (value: bigint): string => (value % (1n << 256n)).toString(16).padStart(64, "0");
  return `${token.slice(0, token.lastIndexOf("."))}.${b64(Buffer.from(to32(r) + to32(s), "hex"))}`;
}

function createDer(token: string): Buffer {
  const { r, s } = scalarsOf(token);
  const integer = (value: bigint): Buffer => {
    let body = Buffer.from(value.toString(16).padStart(64, "0"), "hex");
    while (body.length > 1 && body[0] === 0 && ((body[1] as number) & 0x80) === 0) body = body.subarray(1);
    if (((body[0] as number) & 0x80) !== 0) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const sequence = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, sequence.length]), sequence]);
}

describe("signature scalars outside [1, n − 1] never reach the crypto backend", () => {
  it("out-of-range signatures are invalid_signature without an ECDSA call (CVE-2022-21449 class)", async () => {
    const spy = vi.spyOn(process.getBuiltinModule("node:crypto"), "verify");
    try {
      const { r, s } = scalarsOf(VALID);
      for (const [badR, badS] of [[0n, s], [r, 0n], [0n, 0n], [N, s], [r, N], [N + 1n, s], [(1n << 256n) - 1n, (1n << 256n) - 1n]] as const) {
        expect((await outcome(uncached, withScalars(VALID, badR, badS))).verdict).toBe("invalid_signature");
      }
      expect(spy).not.toHaveBeenCalled();
      // In range but wrong: the backend is asked, and says no (so the spy does observe calls).
      expect((await outcome(uncached, withScalars(VALID, N - 1n, N - 1n))).verdict).toBe("invalid_signature");
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("hostile tokens: size", () => {
  /** A validly signed token of exactly `length` characters (padding a scope claim). */
  function tokenOfLength(length: number): string {
    // header(36) "." payload "." signature(86); unpadded base64url of L bytes has ceil(4L/3) chars.
    const payloadChars = length - HEADER_B64.length - 2 - 86;
    const payloadBytes = Math.floor((payloadChars * 3) / 4);
    const pad = payloadBytes - claimsJson({}, '"scope":""').length;
    return mint(claimsJson({}, `"scope":"${"x".repeat(pad)}"`));
  }

  it("a validly signed 8 KB token (exactly maxTokenLength) verifies; one character more is malformed", async () => {
    const atLimit = tokenOfLength(MAX_TOKEN_LENGTH);
    expect(atLimit).toHaveLength(8192);
    await expectModel(atLimit, "accepted");
    const overLimit = mint(claimsJson({}, `"scope":"${"x".repeat(6100)}"`));
    expect(overLimit.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    await expectModel(overLimit, "malformed_token");
  });

  it("10 MB tokens are refused as malformed at once, before any decoding", async () => {
    const huge = [`${HEADER_B64}.${"A".repeat(10 * 1024 * 1024)}.${VALID.split(".")[2]}`, "a".repeat(10 * 1024 * 1024), ".".repeat(10 * 1024 * 1024)];
    const roomy = createSessionVerifier(options({ maxTokenLength: 1_048_576 }));
    for (const token of huge) {
      const started = performance.now();
      for (const verifier of [uncached, cached, roomy]) {
        const result = await outcome(verifier, token);
        expect(result.verdict).toBe("malformed_token");
        expect(result.error?.message.length).toBeLessThan(200);
      }
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it("a 1 MB validly signed token within a raised maxTokenLength verifies, and a 1 MB nested payload is invalid_claims", async () => {
    const roomy = createSessionVerifier(options({ maxTokenLength: 1_048_576 }));
    const big = mint(claimsJson({}, `"scope":"${"x".repeat(700_000)}"`));
    expect((await outcome(roomy, big)).verdict).toBe("accepted");
    const nested = mint(`${"[".repeat(380_000)}${"]".repeat(380_000)}`);
    expect(nested.length).toBeLessThanOrEqual(1_048_576);
    expect((await outcome(roomy, nested)).verdict).toBe("invalid_claims");
  });
});

// ---------------------------------------------------------------------------------------------

describe("hostile notarizer keys are refused at construction", () => {
  const x = (hex: string): string => hex.slice(2, 66);
  const y = (hex: string): bigint => BigInt(`0x${hex.slice(66)}`);
  const offCurve = `04${x(notarizer.publicKey)}${((y(notarizer.publicKey) + 1n) % P).toString(16).padStart(64, "0")}`;
  // An x with no point on the curve: x³ − 3x + b is not a square mod p (found by search).
  const noSquareRoot = (() => {
    const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
    const pow = (base: bigint, exponent: bigint): bigint => {
      let result = 1n;
      for (let b = base % P, e = exponent; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) result = (result * b) % P;
      return result;
    };
    for (let candidate = 1n; ; candidate++) {
      const rhs = (((candidate ** 3n - 3n * candidate + B) % P) + P) % P;
      if (pow(rhs, (P - 1n) / 2n) === P - 1n) return `02${candidate.toString(16).padStart(64, "0")}`;
    }
  })();

  const badKeys: ReadonlyArray<readonly [string, unknown]> = [
    ["a point not on the curve", offCurve],
    ["the point at infinity (SEC 1 encoding 00)", "00"],
    ["all-zero uncompressed point", `04${"00".repeat(64)}`],
    ["x = p (out of the field), compressed", `02${P.toString(16)}`],
    ["x with no square root, compressed", noSquareRoot],
    ["64 bytes without prefix", notarizer.publicKey.slice(2)],
    ["65 bytes with a compressed prefix", `02${notarizer.publicKey.slice(2)}`],
    ["hybrid prefix 06", `06${notarizer.publicKey.slice(2)}`],
    ["one byte short", notarizer.publicKey.slice(0, -2)],
    ["one byte long", `${notarizer.publicKey}00`],
    ["odd length", `${notarizer.publicKey}0`],
    ["0x prefix", `0x${notarizer.publicKey}`],
    ["surrounding whitespace", ` ${notarizer.publicKey}`],
    ["non-hex", "zz".repeat(33)],
    ["empty", ""],
    ["a number", 4],
    ["a Uint8Array", Uint8Array.from(Buffer.from(notarizer.publicKey, "hex"))],
  ];

  it.each(badKeys)("%s", (_name, notarizerPublicKey) => {
    expect(() => createSessionVerifier({ trustedOrganizations: "any", notarizerPublicKey: notarizerPublicKey as string })).toThrow(TypeError);
    expect(() => createSessionVerifier({ trustedOrganizations: "any", notarizerPublicKey: notarizerPublicKey as string })).toThrow(/notarizerPublicKey/);
  });

  it("the good key in both encodings is accepted (the refusals above are not blanket)", () => {
    const compressed = `${(y(notarizer.publicKey) & 1n) === 1n ? "03" : "02"}${x(notarizer.publicKey)}`;
    expect(createSessionVerifier(options({ notarizerPublicKey: compressed })).notarizerPublicKey).toBe(compressed);
    expect(createSessionVerifier(options({ notarizerPublicKey: notarizer.publicKey.toUpperCase() })).notarizerPublicKey).toBe(notarizer.publicKey.toUpperCase());
  });
});

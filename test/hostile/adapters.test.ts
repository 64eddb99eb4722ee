// Hostile requests through the four real frameworks (issue 6): whatever the Authorization and
// Cookie headers carry (mutated tokens, several headers, odd schemes, whitespace, tabs, non-ASCII,
// 16 KB values, alg variants), every adapter answers 401 or 403 with its JSON refusal, never 2xx
// and never 5xx; the route handler never runs, no session is attached, nothing reaches the error
// path (these are credential problems, not bugs), and the server keeps serving. Each header and
// cookie case is judged once in test/http/extract-token.test.ts; here, what each transport adds.
//
// Transports as in test/adapters: Fastify `inject`, Hono `app.request`, Express and Koa over real
// HTTP on 127.0.0.1 (servers accept 256 KiB of headers so that 16 KB values reach the adapter; with
// Node's default 16 KiB limit Node answers 431 first, see the last test).
import { createHmac } from "node:crypto";
import { Agent } from "node:http";
import fc from "fast-check";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { turnkeyAuth as expressAuth } from "../../src/adapters/express.js";
import { definePolicy, type TurnkeyAuthErrorCode } from "../../src/index.js";
import { createTestNotarizer, type TestNotarizer } from "../../src/testing/index.js";
import { listen } from "../helpers/adapters/http.js";
import { FRAMEWORKS, startApp, type Framework, type HeaderPairs, type RunningApp, type TestReply } from "../helpers/hostile/server-helpers.js";

// ---------------------------------------------------------------------------------------------
// Tokens minted byte for byte by the test notarizer, so headers and payloads can be anything.

const notarizer = createTestNotarizer();
const attacker = createTestNotarizer();
const b64 = (data: string | Uint8Array): string => Buffer.from(data).toString("base64url");
const SESSION_PUBLIC_KEY = "0399fe2ace6208af0adf848f44bc48210b594b7e69ecd91ec968fd75b3bb448336";
const NOW_S = Math.floor(Date.now() / 1000);
const ATTACKER_JWK = { kty: "EC", crv: "P-256", x: b64(Buffer.from(attacker.publicKey.slice(2, 66), "hex")), y: b64(Buffer.from(attacker.publicKey.slice(66), "hex")) };

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { exp: NOW_S + 3600, public_key: SESSION_PUBLIC_KEY, session_type: "SESSION_TYPE_READ_WRITE", user_id: "user-1", organization_id: "org-1", ...overrides };
}

function mint(payload: object | string = claims(), header: object | string = { alg: "ES256", typ: "JWT" }, signer: TestNotarizer = notarizer): string {
  return signer.signRaw({ header, payload });
}

/** The one valid token (user-1 in org-1). No hostile input below contains it whole. */
const VALID = mint();
const OTHER_USER = mint(claims({ user_id: "user-2", organization_id: "org-2" }));
const [VALID_H, VALID_P, VALID_S] = VALID.split(".") as [string, string, string];

/** Refused tokens of every kind the verifier distinguishes, each with the code it must get. */
const REFUSED_TOKENS: readonly (readonly [string, string, TurnkeyAuthErrorCode])[] = [
  ["forged (attacker's key)", mint(claims(), undefined, attacker), "invalid_signature"],
  ["expired", mint(claims({ exp: NOW_S - 3600 })), "token_expired"],
  ["untrusted organization", mint(claims({ organization_id: "org-elsewhere" })), "untrusted_organization"],
  ["payload of another user under the valid signature", `${VALID_H}.${OTHER_USER.split(".")[1]}.${VALID_S}`, "invalid_signature"],
  ["alg none, no signature", `${b64('{"alg":"none","typ":"JWT"}')}.${VALID_P}.`, "malformed_token"],
  ["alg none, valid signature kept", `${b64('{"alg":"none","typ":"JWT"}')}.${VALID_P}.${VALID_S}`, "malformed_token"],
  [
    "alg HS256 keyed with the notarizer's public key (key confusion)",
    (() => {
      const input = `${b64('{"alg":"HS256","typ":"JWT"}')}.${VALID_P}`;
      return `${input}.${b64(createHmac("sha256", notarizer.publicKey).update(input).digest())}`;
    })(),
    "malformed_token",
  ],
  ["alg es256 (lower case), correctly signed", mint(claims(), { alg: "es256", typ: "JWT" }), "malformed_token"],
  ["alg ES384, correctly signed", mint(claims(), { alg: "ES384", typ: "JWT" }), "malformed_token"],
  ["alg as an array, correctly signed", mint(claims(), { alg: ["ES256"], typ: "JWT" }), "malformed_token"],
  ["crit header, correctly signed", mint(claims(), { alg: "ES256", typ: "JWT", crit: ["exp"] }), "malformed_token"],
  ["embedded jwk of the attacker, signed by the attacker", mint(claims(), { alg: "ES256", typ: "JWT", jwk: ATTACKER_JWK }, attacker), "invalid_signature"],
  ["jku and kid pointing elsewhere, signed by the attacker", mint(claims(), { alg: "ES256", kid: "x", jku: "http://127.0.0.1:1/keys" }, attacker), "invalid_signature"],
  ["exp as a string", mint(claims({ exp: String(NOW_S + 3600) })), "invalid_claims"],
  ["exp 1e309", mint(JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e309')), "invalid_claims"],
  ["exp missing", mint(claims({ exp: undefined })), "invalid_claims"],
  ["organization_id as a number", mint(claims({ organization_id: 1 })), "invalid_claims"],
  [
    "__proto__ carrying the trusted organization",
    mint(`{"__proto__":{"organization_id":"org-1","user_id":"user-1"},"exp":${NOW_S + 3600},"public_key":"${SESSION_PUBLIC_KEY}","session_type":"SESSION_TYPE_READ_WRITE"}`),
    "invalid_claims",
  ],
  ["duplicate organization_id, the last one untrusted", mint(JSON.stringify(claims()).replace(/}$/, ',"organization_id":"org-elsewhere"}')), "untrusted_organization"],
  ["four segments", `${VALID}.${VALID_S}`, "malformed_token"],
  ["signature segment dropped", `${VALID_H}.${VALID_P}`, "malformed_token"],
  ["standard base64 padding on the signature", `${VALID_H}.${VALID_P}.${Buffer.from(VALID_S, "base64url").toString("base64")}`, "malformed_token"],
  ["63-byte signature", `${VALID_H}.${VALID_P}.${b64(Buffer.from(VALID_S, "base64url").subarray(1))}`, "malformed_token"],
  ["all-zero signature", `${VALID_H}.${VALID_P}.${b64(new Uint8Array(64))}`, "invalid_signature"],
];

const REFUSAL_CODES: readonly TurnkeyAuthErrorCode[] = [
  "missing_token",
  "malformed_token",
  "invalid_signature",
  "token_expired",
  "invalid_claims",
  "untrusted_organization",
  "forbidden",
];

// ---------------------------------------------------------------------------------------------
// Arbitraries: header values a client could send (HTTP field-value: tab, visible ASCII, obs-text).

const SENDABLE = /^[\t\x20-\x7e\x80-\xff]*$/;
const sendable = (value: string) => SENDABLE.test(value);
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const KB16 = 16 * 1024;

const oddChar = fc.constantFrom(" ", "  ", "\t", "\u00a0", "\u00e9", "\u00ff", "\u0080", "\u00c3\u00a9", "=", "==", "+", "/", "%", ".", "..", "\\", ",", ";", '"', "'", "*", "\u00ad");
const latin1Char = fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code));
const garbage = fc.string({ unit: fc.oneof(latin1Char, fc.constantFrom("\t", ".", " ")), maxLength: 80 });

type Mutate = (token: string) => string;
const atSegment = (segment: number, rewrite: (text: string) => string): Mutate => (token) => {
  const parts = token.split(".");
  parts[segment] = rewrite(parts[segment] ?? "");
  return parts.join(".");
};

const mutation: fc.Arbitrary<Mutate> = fc.oneof(
  // bit flips in the decoded bytes of a segment, re-encoded canonically
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 0, max: 7 })).map(([segment, at, bit]) =>
    atSegment(segment, (text) => {
      const bytes = Buffer.from(text, "base64url");
      bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ (1 << bit);
      return b64(bytes);
    }),
  ) },
  // bit flips in the characters (some land outside what HTTP can carry and are filtered out)
  { weight: 2, arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => (token: string) => {
    const index = at % token.length;
    return token.slice(0, index) + String.fromCharCode(token.charCodeAt(index) ^ (1 << bit)) + token.slice(index + 1);
  }) },
  // insertions and substitutions: whitespace, tabs, non-ASCII, padding, separators
  { weight: 4, arbitrary: fc.tuple(fc.nat(), fc.oneof({ weight: 3, arbitrary: oddChar }, { weight: 1, arbitrary: fc.constantFrom(...BASE64URL) }), fc.boolean()).map(([at, char, insert]) => (token: string) => {
    const index = at % token.length;
    return token.slice(0, index) + char + token.slice(insert ? index : index + 1);
  }) },
  // truncation
  { weight: 1, arbitrary: fc.nat().map((cut) => (token: string) => token.slice(0, cut % token.length)) },
  // re-encodings and segment surgery
  { weight: 1, arbitrary: fc.constantFrom<Mutate>(
    atSegment(2, (text) => `${text}=`),
    atSegment(1, (text) => Buffer.from(text, "base64url").toString("base64")),
    atSegment(0, (text) => text.toUpperCase()),
    atSegment(2, (text) => text.toLowerCase()),
    atSegment(2, (text) => Buffer.from(text, "base64url").toString("hex")),
    (token) => token.split(".").reverse().join("."),
    (token) => token.replace(".", ".."),
    (token) => token.replaceAll(".", ""),
    (token) => token.replaceAll(".", ". "),
  ) },
);

const hugeValue = fc.constantFrom(
  "A".repeat(KB16),
  `${VALID_H}.${"A".repeat(KB16)}.${VALID_S}`,
  `${VALID_H}.${VALID_P}.${"A".repeat(KB16)}`,
  ".".repeat(KB16),
  `${"a.".repeat(KB16 / 2)}`,
  "\u00e9".repeat(KB16),
  ` \t`.repeat(KB16 / 2),
);

const tokenish: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: mutation.map((mutate) => mutate(VALID)) },
  { weight: 3, arbitrary: fc.constantFrom(...REFUSED_TOKENS.map(([, token]) => token)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...REFUSED_TOKENS.map(([, token]) => token)), mutation).map(([token, mutate]) => mutate(token)) },
  { weight: 2, arbitrary: garbage },
  { weight: 1, arbitrary: hugeValue },
  { weight: 1, arbitrary: fc.constant("") },
);

// Mostly Bearer (any case) followed by a near-valid token: the inputs a lenient parser would grant.
const scheme = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("Bearer", "bearer", "BEARER", "bEaReR") },
  { weight: 1, arbitrary: fc.constantFrom("Bearer:", "Bearerx", "Bear", "Basic", "Token", "JWT", "DPoP", "", "Bearer,", "Bearer=", "\u00e9Bearer") },
);
const separator = fc.oneof({ weight: 3, arbitrary: fc.constant(" ") }, { weight: 2, arbitrary: fc.constantFrom("", "  ", "\t", " \t ", "\t\t", ",", "=", "\u00a0", " , ") });
const suffix = fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.constantFrom(" ", "\t", ", Bearer x", " extra", ",", ";") });

const authorizationValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(scheme, separator, tokenish, suffix).map((parts) => parts.join("")) },
  { weight: 1, arbitrary: garbage },
  { weight: 1, arbitrary: hugeValue.map((value) => `Bearer ${value}`) },
  { weight: 1, arbitrary: fc.constantFrom("Bearer", "Bearer ", "bearer\t", "", " ", "Bearer Bearer", "Bearer null", "Bearer undefined", "Bearer [object Object]") },
);

const cookieValue: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: tokenish.map((token) => `tk_session=${token}`) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom("theme", "__proto__", "constructor", "TK_SESSION", "tk_session ", " tk_session"), garbage).map(([name, value]) => `${name}=${value}`) },
      { weight: 1, arbitrary: garbage },
    ),
    { minLength: 1, maxLength: 3 },
  )
  .chain((pairs) => fc.constantFrom("; ", ";", " ; ").map((glue) => pairs.join(glue)));

const authorizationHeader = fc.tuple(fc.constantFrom("authorization", "Authorization", "AUTHORIZATION"), authorizationValue);

interface HostileRequest {
  path: string;
  headers: HeaderPairs;
}

const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    path: fc.constantFrom("/whoami", "/orgs/org-1/whoami"),
    // Mostly one Authorization header (so that most requests reach verification), sometimes none or several.
    authorizations: fc.oneof(
      { weight: 6, arbitrary: fc.array(authorizationHeader, { minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.constant<[string, string][]>([]) },
      { weight: 1, arbitrary: fc.array(authorizationHeader, { minLength: 2, maxLength: 3 }) },
    ),
    cookies: fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 2, arbitrary: fc.array(cookieValue, { minLength: 1, maxLength: 2 }) }),
  })
  .map(({ path, authorizations, cookies }) => ({ path, headers: [...authorizations, ...cookies.map((cookie) => ["cookie", cookie] as const)] }))
  // Only what a client can put on the wire, and never the valid token whole (which must be accepted).
  .filter(({ headers }) => headers.every(([, value]) => sendable(value) && !value.includes(VALID)));

// ---------------------------------------------------------------------------------------------

/** Runs per framework; raise it (HOSTILE_RUNS=5000) for a longer hunt. */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 60);
const OPTIONS = { notarizerPublicKey: notarizer.publicKey, trustedOrganizations: ["org-1", "org-2"], cookieName: "tk_session" };
const bearer = (token: string): HeaderPairs => [["authorization", `Bearer ${token}`]];

/** The whole contract for one refused request. */
function expectRefused(app: RunningApp, reply: TestReply, before: { handled: number; errors: number }, label: string): void {
  expect([401, 403], label).toContain(reply.status);
  expect(reply.body, label).toEqual({ error: expect.any(String), message: expect.any(String) });
  expect(REFUSAL_CODES, label).toContain(reply.body.error);
  expect(reply.header("www-authenticate"), label).toMatch(/^Bearer realm="turnkey"/);
  expect(app.observed.handled, label).toBe(before.handled);
  expect(app.observed.errors.length, label).toBe(before.errors);
  expect(app.observed.sessionsOnRefusals, label).toBe(0);
}

function snapshot(app: RunningApp) {
  return { handled: app.observed.handled, errors: app.observed.errors.length };
}

async function expectServing(app: RunningApp): Promise<void> {
  const handled = app.observed.handled;
  const reply = await app.request("/whoami", bearer(VALID));
  expect(reply.status).toBe(200);
  expect(reply.body).toEqual({ userId: "user-1", organizationId: "org-1" });
  expect(app.observed.handled).toBe(handled + 1);
}

describe.each(FRAMEWORKS)("%s adapter: hostile requests", (framework: Framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(framework, OPTIONS);
  });
  afterAll(() => app?.close());

  it("the fixtures are sound: the valid token is granted, each refused token gets its own code", async () => {
    await expectServing(app);
    for (const [name, token, code] of REFUSED_TOKENS) {
      const before = snapshot(app);
      const reply = await app.request("/whoami", bearer(token));
      expectRefused(app, reply, before, name);
      expect(reply.body.error, name).toBe(code);
    }
  });

  it("property: any hostile Authorization/Cookie headers are refused with 401/403, the route never runs", async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async ({ path, headers }) => {
        const before = snapshot(app);
        const reply = await app.request(path, headers);
        expectRefused(app, reply, before, JSON.stringify(headers).slice(0, 300));
      }),
      { numRuns: RUNS },
    );
    await expectServing(app);
  });

  // What each transport adds to extractToken's cases: Node's raw header list (duplicates kept) or
  // Fetch's joined values, Node's header size, and refused tokens of every kind end to end.
  const corpus: readonly (readonly [string, () => HeaderPairs, TurnkeyAuthErrorCode | readonly TurnkeyAuthErrorCode[]])[] = [
    ["no headers at all", () => [], "missing_token"],
    ["Bearer with nothing", () => [["authorization", "Bearer"]], "malformed_token"],
    ["two Authorization headers, both the valid token", () => [...bearer(VALID), ...bearer(VALID)], "malformed_token"],
    ["Authorization and AUTHORIZATION (same header, other case)", () => [["authorization", `Bearer ${VALID}`], ["AUTHORIZATION", `Bearer ${VALID}`]], "malformed_token"],
    // Node keeps both headers (refused as duplicates); Fetch joins them into "Basic …, Bearer …",
    // one header of another scheme, which carries no session token.
    ["two Authorization headers: Basic, then Bearer valid", () => [["authorization", "Basic dXNlcjpwYXNz"], ...bearer(VALID)], ["malformed_token", "missing_token"]],
    ["Bearer with a 16 KB token", () => [["authorization", `Bearer ${"A".repeat(KB16)}`]], "malformed_token"],
    ["16 KB session cookie", () => [["cookie", `tk_session=${"A".repeat(KB16)}`]], "malformed_token"],
    ["the session cookie in two Cookie headers", () => [["cookie", `tk_session=${VALID}`], ["cookie", `tk_session=${VALID}`]], "malformed_token"],
    ...REFUSED_TOKENS.map(([name, token, code]) => [`cookie: ${name}`, () => [["cookie", `theme=dark; tk_session=${token}`]] as HeaderPairs, code] as const),
  ];

  it.each(corpus)("corpus: %s", async (_name, headers, code) => {
    const before = snapshot(app);
    for (const path of ["/whoami", "/orgs/org-1/whoami"]) {
      const reply = await app.request(path, headers());
      expectRefused(app, reply, before, path);
      if (typeof code === "string") expect(reply.body.error).toBe(code);
      else expect(code).toContain(reply.body.error);
    }
  });

  it("the process is still up and serving after all of the above", async () => {
    await expectServing(app);
  });
});

describe.each(FRAMEWORKS)("%s adapter: header and cookie both present", (framework: Framework) => {
  it("the header wins; an invalid Bearer header never falls back to the cookie", async () => {
    const app = await startApp(framework, OPTIONS);
    try {
      const cookie = (token: string): HeaderPairs => [["cookie", `theme=dark; tk_session=${token}`]];
      expect((await app.request("/whoami", [...cookie(VALID), ...bearer(OTHER_USER)])).body).toEqual({ userId: "user-2", organizationId: "org-2" });
      const before = snapshot(app);
      const reply = await app.request("/whoami", [["authorization", `Bearer ${REFUSED_TOKENS[1]?.[1]}`], ...cookie(VALID)]);
      expectRefused(app, reply, before, "expired header, valid cookie");
      expect(reply.body.error).toBe("token_expired");
    } finally {
      await app.close();
    }
  });
});

describe("huge headers beyond Node's limit never reach an adapter", () => {
  // Node answers 431 itself; Fastify's clientError handler writes 431 and destroys the socket, so
  // the client may see the reset before the answer. Either way the request never reaches the app.
  it.each(FRAMEWORKS)("%s on a real server with Node's default 16 KiB limit: 431 (or a reset), the route never runs", async (framework) => {
    // No keep-alive: Fastify answers 431 on a socket it then destroys, which a pooled agent would reuse.
    const app = await startApp(framework, OPTIONS, { transport: "http", maxHeaderSize: 16 * 1024, agent: new Agent({ keepAlive: false }) });
    try {
      const outcome = await app.request("/whoami", [["authorization", `Bearer ${"A".repeat(KB16)}`]]).then(
        (reply) => reply.status,
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect([431, "ECONNRESET"]).toContain(outcome);
      if (framework !== "fastify") expect(outcome).toBe(431);
      expect(app.observed.handled).toBe(0);
      await expectServing(app);
    } finally {
      await app.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Path-based policies. `RequestLike.path` is what a policy written once for all four frameworks
// compares, so it must be the path the router matched: decoded as the router decodes it, and whole
// (not relative to where the middleware is mounted); every adapter hands policies
// canonicalPolicyPath(the target as received). Every other spelling (case, slashes, dot segments,
// absolute-form targets) is in test/adapters/path-cases.ts, run through each framework.

describe.each(FRAMEWORKS)("%s adapter: a path-prefix policy and percent-encoded paths", (framework: Framework) => {
  let app: RunningApp;
  const seen: string[] = [];
  beforeAll(async () => {
    const notOrg2 = definePolicy("notOrg2Paths", ({ request }) => {
      seen.push(request.path);
      return !request.path.startsWith("/orgs/org-2/");
    });
    app = await startApp(framework, { ...OPTIONS, policies: [notOrg2] });
  });
  afterAll(() => app?.close());

  it("the plain path is refused by the policy (403)", async () => {
    const reply = await app.request("/orgs/org-2/whoami", bearer(OTHER_USER));
    expect(reply.status).toBe(403);
    expect(reply.body.message).toContain("notOrg2Paths");
  });

  it("the same path with one character percent-encoded is refused too", async () => {
    seen.length = 0;
    const reply = await app.request("/orgs/org-%32/whoami", bearer(OTHER_USER));
    expect(seen).toEqual(["/orgs/org-2/whoami"]);
    expect(reply.status).toBe(403);
  });
});

describe("express adapter mounted under a prefix", () => {
  // Express makes `req.path` relative to the mount point (Express 4 and 5); policies get the whole path.
  it("a policy sees the whole path, not the path relative to app.use('/orgs', ...)", async () => {
    const seen: string[] = [];
    const notOrg2 = definePolicy("notOrg2Paths", ({ request }) => {
      seen.push(request.path);
      return !request.path.startsWith("/orgs/org-2/");
    });
    const app = express();
    app.use("/orgs", expressAuth({ ...OPTIONS, policies: [notOrg2] }), (_req, res) => {
      res.json({ reached: true });
    });
    const server = await listen(app);
    try {
      const reply = await server.request("/orgs/org-2/wallets", bearer(OTHER_USER));
      expect(seen).toEqual(["/orgs/org-2/wallets"]);
      expect(reply.status).toBe(403);
    } finally {
      await server.close();
    }
  });
});

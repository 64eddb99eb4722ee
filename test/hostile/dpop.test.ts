// Hostile DPoP proofs (issue 18): whatever the DPoP header and the proof's header and claims hold,
// the answer is a refusal with a DPoP code (401) or, for a well-formed proof by the session key, a
// grant; never a 5xx, never another error, never the proof or token quoted. Sizes are bounded
// before anything is decoded (the patterns are proved linear in ./linear-patterns.test.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAuthenticator } from "../../src/adapter.js";
import type { TurnkeyAuthErrorCode } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { createSession, ORIGIN, proofFor, proofParts, signProof } from "../helpers/dpop/helpers.js";
import { testReader, type TestRequest } from "../helpers/http/kit.js";

const notarizer = createTestNotarizer();
const authenticator = createAuthenticator<TestRequest>(
  { trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, dpop: "required", dpopOptions: { origin: ORIGIN } },
  testReader,
);
const DPOP_CODES: readonly TurnkeyAuthErrorCode[] = [
  "invalid_dpop_proof", "dpop_key_mismatch", "dpop_method_mismatch", "dpop_url_mismatch", "dpop_stale_proof",
  "dpop_token_mismatch", "dpop_invalid_signature", "dpop_replayed",
];
const session = await createSession(notarizer);
const request = (proof: string): TestRequest => ({ method: "POST", target: "/transfers", headers: { authorization: `DPoP ${session.token}`, dpop: proof } });

// The replacements that leave a proof valid: another well-formed jti, another iat in the window.
function stillValid(field: string, value: unknown, iat: number): boolean {
  if (field === "claims.jti") return typeof value === "string" && /^[\x21-\x7e]{1,256}$/.test(value);
  if (field === "claims.iat") return typeof value === "number" && value >= iat - 59 && value <= iat + 4;
  return false;
}

async function refusalOf(proof: string) {
  const { failure } = await authenticator.authenticate(request(proof));
  expect(failure, "a hostile proof was granted").toBeDefined();
  expect(failure!.status).toBe(401);
  expect(DPOP_CODES).toContain(failure!.body.error);
  expect(failure!.body.message).not.toContain(session.token.slice(30, 60));
  if (proof.length > 40) expect(failure!.body.message).not.toContain(proof.slice(0, 40));
  return failure!.body.error;
}

const json = fc.jsonValue({ maxDepth: 3 });

describe("hostile DPoP proofs", () => {
  it("any header value is refused with a DPoP code", async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 600, unit: "binary-ascii" }), async (value) => {
      await refusalOf(value);
    }), { numRuns: 300 });
  });

  it("any three base64url segments of JSON are refused", async () => {
    const segment = json.map((value) => Buffer.from(JSON.stringify(value) ?? "null").toString("base64url"));
    await fc.assert(fc.asyncProperty(segment, segment, fc.uint8Array({ maxLength: 80 }), async (header, claims, signature) => {
      await refusalOf(`${header}.${claims}.${Buffer.from(signature).toString("base64url")}`);
    }), { numRuns: 300 });
  });

  it("a valid proof with any one header or claim replaced by any JSON is refused, signed by the session key", async () => {
    const fields = fc.constantFrom("header.typ", "header.alg", "header.jwk", "header.crit", "claims.jti", "claims.htm", "claims.htu", "claims.iat", "claims.ath");
    await fc.assert(fc.asyncProperty(fields, json, async (field, value) => {
      const parts = await proofParts(session, "POST", `${ORIGIN}/transfers`);
      const [where, name] = field.split(".") as ["header" | "claims", string];
      fc.pre(JSON.stringify(parts[where][name]) !== JSON.stringify(value));
      const iat = parts.claims.iat as number;
      parts[where][name] = value;
      const proof = await signProof(parts.header, parts.claims, session.key.privateKey);
      if (stillValid(field, value, iat)) expect((await authenticator.authenticate(request(proof))).failure).toBeUndefined();
      else await refusalOf(proof);
    }), { numRuns: 200 });
  });

  it("one flipped character of a valid proof is refused", async () => {
    const proof = await proofFor(session, "POST", `${ORIGIN}/transfers`);
    await fc.assert(fc.asyncProperty(fc.nat(proof.length - 1), fc.constantFrom(..."AQgw_-.,=% "), async (at, character) => {
      fc.pre(proof[at] !== character);
      await refusalOf(proof.slice(0, at) + character + proof.slice(at + 1));
    }), { numRuns: 200 });
  });

  it("oversized and pathological proofs are refused quickly", async () => {
    const parts = await proofParts(session, "POST", `${ORIGIN}/transfers`);
    const pathological = [
      ".".repeat(100_000),
      "A".repeat(100_000),
      `${"e".repeat(4000)}.${"e".repeat(4000)}.x`,
      await signProof(parts.header, { ...parts.claims, htu: `${ORIGIN}/${"%41".repeat(680)}` }, session.key.privateKey),
      await signProof(parts.header, { ...parts.claims, htu: `${ORIGIN}/${"%".repeat(2000)}` }, session.key.privateKey),
      await signProof({ ...parts.header, jwk: { ...session.key.jwk, pad: "x".repeat(3000) } }, parts.claims, session.key.privateKey),
    ];
    const started = performance.now();
    for (const proof of pathological) await refusalOf(proof);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

// Real tokens signed by Turnkey's production keys (public test vectors from Turnkey's own SDK
// tests; see the fixture's "about"). Both are past their expiry, so the clock is injected.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY,
  PRODUCTION_TLS_FETCHER_SIGN_PUBLIC_KEY,
  verifySessionJwtSignature,
} from "@turnkey/crypto";
import { describe, expect, it } from "vitest";
import {
  createSessionVerifier,
  isTurnkeyAuthError,
  verifySessionJwt,
  type TurnkeyAuthError,
  type VerifyOptions,
} from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { nativeCrypto } from "../../src/crypto/native.js";
import { parseP256PublicKey } from "../../src/crypto/p256.js";

const FIXTURE_FILE = new URL("../fixtures/turnkey-upstream-tokens.json", import.meta.url);
const SHARED_FIXTURE_FILE = new URL("../../../shared/fixtures/turnkey-upstream-tokens.json", import.meta.url);
const haveSharedFixture = existsSync(fileURLToPath(SHARED_FIXTURE_FILE));

interface UpstreamFixture {
  readonly sessionJwt: {
    readonly token: string;
    readonly notarizerPublicKey: string;
    readonly header: Record<string, unknown>;
    readonly claims: {
      readonly exp: number;
      readonly public_key: string;
      readonly session_type: string;
      readonly user_id: string;
      readonly organization_id: string;
    };
  };
  readonly otpVerificationToken: {
    readonly token: string;
    readonly claims: Record<string, unknown> & { readonly exp: string; readonly organization_id: string };
  };
}

const fixture = JSON.parse(readFileSync(FIXTURE_FILE, "utf8")) as UpstreamFixture;
const { token, claims } = fixture.sessionJwt;
const EXP_MS = claims.exp * 1000;
const BEFORE_EXP = EXP_MS - 60_000;

async function rejection(promise: Promise<unknown>): Promise<TurnkeyAuthError> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!("rejected" in outcome)) throw new Error("expected a rejection, got a session");
  expect(isTurnkeyAuthError(outcome.rejected)).toBe(true);
  return outcome.rejected as TurnkeyAuthError;
}

function verifierAt(nowMs: number, overrides: Partial<VerifyOptions> = {}) {
  return createSessionVerifier({ trustedOrganizations: [claims.organization_id], now: () => nowMs, ...overrides });
}

function segmentJson(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

function compressedOf(uncompressedHex: string): string {
  const y = Buffer.from(uncompressedHex.slice(66), "hex");
  return (((y[31] as number) & 1) === 1 ? "03" : "02") + uncompressedHex.slice(2, 66);
}

describe("the fixture", () => {
  it.skipIf(!haveSharedFixture)("is an identical copy of ../shared/fixtures/turnkey-upstream-tokens.json", () => {
    expect(readFileSync(FIXTURE_FILE)).toEqual(readFileSync(SHARED_FIXTURE_FILE));
  });

  it("describes its token: the header and claims are what the token encodes, under the production key", () => {
    const [header, payload] = token.split(".");
    expect(segmentJson(header as string)).toEqual(fixture.sessionJwt.header);
    expect(segmentJson(payload as string)).toEqual(claims);
    expect(fixture.sessionJwt.notarizerPublicKey).toBe(PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY);
  });
});

describe("a real production session JWT", () => {
  it("verifies with the default (production) notarizer key before exp, claims as in the fixture", async () => {
    const verifier = verifierAt(BEFORE_EXP);
    expect(verifier.notarizerPublicKey).toBe(PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY);
    const session = await verifier.verify(token);
    expect(session).toMatchObject({
      userId: claims.user_id,
      organizationId: claims.organization_id,
      sessionType: claims.session_type,
      publicKey: claims.public_key,
      expiresAt: claims.exp,
    });
    expect(session.claims).toEqual(claims);
    expect(session.sessionProfileId).toBeUndefined();
    expect(session.scope).toBeUndefined();
    expect(Object.isFrozen(session)).toBe(true);
    expect(Object.isFrozen(session.claims)).toBe(true);
  });

  it("keeps the token on the session but not enumerable, so logging the session never prints it", async () => {
    const session = await verifierAt(BEFORE_EXP).verify(token);
    expect(session.token).toBe(token);
    expect(Object.prototype.propertyIsEnumerable.call(session, "token")).toBe(false);
    expect(Object.keys(session)).not.toContain("token");
    expect(JSON.stringify(session)).not.toContain(token.split(".")[2]);
    expect({ ...session }).not.toHaveProperty("token");
  });

  it("verifies with the production key given explicitly, uncompressed or compressed", async () => {
    for (const notarizerPublicKey of [PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY, compressedOf(PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY)]) {
      const session = await verifierAt(BEFORE_EXP, { notarizerPublicKey }).verify(token);
      expect(session.userId).toBe(claims.user_id);
    }
  });

  it("verifies through the one-shot verifySessionJwt too", async () => {
    const options: VerifyOptions = { trustedOrganizations: "any", now: () => BEFORE_EXP, cache: false };
    expect((await verifySessionJwt(token, options)).organizationId).toBe(claims.organization_id);
  });

  it("fails token_expired after exp, with the default 5 s tolerance", async () => {
    // Expired when exp <= now − tolerance.
    expect((await verifierAt(EXP_MS + 4_999).verify(token)).userId).toBe(claims.user_id);
    expect((await rejection(verifierAt(EXP_MS + 5_000).verify(token))).code).toBe("token_expired");
    expect((await rejection(verifierAt(Date.now()).verify(token))).code).toBe("token_expired");
  });

  it("respects clockTolerance: 0 and the 300 s maximum", async () => {
    expect((await verifierAt(EXP_MS - 1, { clockTolerance: 0 }).verify(token)).expiresAt).toBe(claims.exp);
    expect((await rejection(verifierAt(EXP_MS, { clockTolerance: 0 }).verify(token))).code).toBe("token_expired");
    expect((await verifierAt(EXP_MS + 299_000, { clockTolerance: 300 }).verify(token)).expiresAt).toBe(claims.exp);
    expect((await rejection(verifierAt(EXP_MS + 300_000, { clockTolerance: 300 }).verify(token))).code).toBe("token_expired");
  });

  it("fails invalid_signature against any other notarizer key", async () => {
    for (const notarizerPublicKey of [createTestNotarizer().publicKey, PRODUCTION_TLS_FETCHER_SIGN_PUBLIC_KEY]) {
      const error = await rejection(verifierAt(BEFORE_EXP, { notarizerPublicKey }).verify(token));
      expect(error.code).toBe("invalid_signature");
      expect(error.status).toBe(401);
    }
  });

  it("fails untrusted_organization for an app that trusts other organizations only", async () => {
    const error = await rejection(verifierAt(BEFORE_EXP, { trustedOrganizations: ["another-organization"] }).verify(token));
    expect(error.code).toBe("untrusted_organization");
  });

  it("the reference (@turnkey/crypto verifySessionJwtSignature) agrees", async () => {
    expect(await verifySessionJwtSignature(token)).toBe(true);
    expect(await verifySessionJwtSignature(token, PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY)).toBe(true);
    expect(await verifySessionJwtSignature(token, createTestNotarizer().publicKey)).toBe(false);
  });

  it("one flipped signature bit fails both", async () => {
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const bytes = Buffer.from(signature, "base64url");
    bytes[10] = (bytes[10] as number) ^ 0x01;
    const forged = `${header}.${payload}.${bytes.toString("base64url")}`;
    expect((await rejection(verifierAt(BEFORE_EXP).verify(forged))).code).toBe("invalid_signature");
    expect(await verifySessionJwtSignature(forged)).toBe(false);
  });
});

describe("the OTP verification token in the fixture", () => {
  const otp = fixture.otpVerificationToken.token;
  const [otpHeader, otpPayload, otpSignature] = otp.split(".") as [string, string, string];
  const otpOptions = (overrides: Partial<VerifyOptions> = {}) =>
    createSessionVerifier({ trustedOrganizations: "any", now: () => BEFORE_EXP, cache: false, ...overrides });

  it("is genuine: a single-hash ES256 signature by the production TLS fetcher key", async () => {
    // Proves the fixture is intact, so the refusals below are about the scheme, not a broken token.
    const signingInput = new TextEncoder().encode(`${otpHeader}.${otpPayload}`);
    const signature = Uint8Array.from(Buffer.from(otpSignature, "base64url"));
    const check = nativeCrypto().importP256Key(parseP256PublicKey(PRODUCTION_TLS_FETCHER_SIGN_PUBLIC_KEY)!);
    expect(await check(signingInput, signature)).toBe(true);
    expect(segmentJson(otpPayload)).toEqual(fixture.otpVerificationToken.claims);
  });

  it("is not accepted as a session with the production notarizer key", async () => {
    expect((await rejection(otpOptions().verify(otp))).code).toBe("invalid_signature");
    expect(await verifySessionJwtSignature(otp)).toBe(false);
  });

  it("is not accepted even if its own signer key were configured: sessions use the double hash", async () => {
    const verifier = otpOptions({ notarizerPublicKey: PRODUCTION_TLS_FETCHER_SIGN_PUBLIC_KEY });
    expect((await rejection(verifier.verify(otp))).code).toBe("invalid_signature");
    expect(await verifySessionJwtSignature(otp, PRODUCTION_TLS_FETCHER_SIGN_PUBLIC_KEY)).toBe(false);
  });

  it("its claims are not a session's even when correctly signed in the session scheme", async () => {
    // With a user_id and session_type added, exp stays a millisecond string: invalid_claims.
    const notarizer = createTestNotarizer();
    const payload = { session_type: "SESSION_TYPE_READ_WRITE", user_id: "user-1", ...fixture.otpVerificationToken.claims };
    const reSigned = notarizer.signRaw({ payload });
    const error = await rejection(otpOptions({ notarizerPublicKey: notarizer.publicKey }).verify(reSigned));
    expect(error.code).toBe("invalid_claims");
  });
});

import { verifySessionJwtSignature } from "@turnkey/crypto";
import { describe, expect, it, vi } from "vitest";
import { createSessionVerifier, isTurnkeyAuthError, TurnkeyAuthError, verifySessionJwt, type TurnkeySession } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const notarizer = createTestNotarizer();
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

function verifierFor(overrides: Record<string, unknown> = {}) {
  return createSessionVerifier({
    trustedOrganizations: ["org-1"],
    notarizerPublicKey: notarizer.publicKey,
    now: () => NOW,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<TurnkeyAuthError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isTurnkeyAuthError(error)).toBe(true);
  return error as TurnkeyAuthError;
}

describe("createSessionVerifier", () => {
  it("returns the session of a valid token, with claims mapped and frozen", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" }, { now: NOW });
    const session = await verifierFor().verify(token);
    expect(session).toMatchObject({
      userId: "user-1",
      organizationId: "org-1",
      sessionType: "SESSION_TYPE_READ_WRITE",
      expiresAt: Math.floor(NOW / 1000) + 900,
    });
    expect(session.publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(session.token).toBe(token);
    expect(Object.isFrozen(session)).toBe(true);
    expect(Object.isFrozen(session.claims)).toBe(true);
    expect(session.sessionProfileId).toBeUndefined();
  });

  it("never shows the token when the session is logged or serialised", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    const session = await verifierFor().verify(token);
    expect(JSON.stringify(session)).not.toContain(token.split(".")[2]);
    expect(Object.keys(session)).not.toContain("token");
  });

  it("reads session-profile claims, whose session_type is the profile's name", async () => {
    const token = await notarizer.sign(
      { organization_id: "org-1", session_type: "trading", session_profile_id: "profile-1", scope: "true" },
      { now: NOW },
    );
    const session = await verifierFor().verify(token);
    expect(session).toMatchObject({ sessionType: "trading", sessionProfileId: "profile-1", scope: "true" });
  });

  it("accepts a compressed notarizer key as well as an uncompressed one", async () => {
    const hex = notarizer.publicKey; // 04 ‖ x ‖ y
    const compressed = (Number.parseInt(hex.slice(-1), 16) & 1 ? "03" : "02") + hex.slice(2, 66);
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    await expect(verifierFor({ notarizerPublicKey: compressed }).verify(token)).resolves.toMatchObject({ organizationId: "org-1" });
  });

  it("refuses a token signed by another key", async () => {
    const other = createTestNotarizer();
    const token = await other.sign({ organization_id: "org-1" }, { now: NOW });
    expect((await rejection(verifierFor().verify(token))).code).toBe("invalid_signature");
  });

  it("refuses an expired token, allowing clockTolerance seconds of skew", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", exp: Math.floor(NOW / 1000) - 3 });
    await expect(verifierFor({ clockTolerance: 5 }).verify(token)).resolves.toBeDefined();
    expect((await rejection(verifierFor({ clockTolerance: 0 }).verify(token))).code).toBe("token_expired");
    const error = await rejection(verifierFor({ clockTolerance: 2 }).verify(token));
    expect(error).toMatchObject({ code: "token_expired", status: 401 });
  });

  it("refuses organizations it does not trust, even with a valid signature", async () => {
    const token = await notarizer.sign({ organization_id: "someone-elses-org" }, { now: NOW });
    const error = await rejection(verifierFor().verify(token));
    expect(error).toMatchObject({ code: "untrusted_organization", status: 401 });
  });

  it('trusts every organization with "any"', async () => {
    const token = await notarizer.sign({ organization_id: "whatever" }, { now: NOW });
    await expect(verifierFor({ trustedOrganizations: "any" }).verify(token)).resolves.toMatchObject({ organizationId: "whatever" });
  });

  it("asks a trust function with the organization id and session, on every call", async () => {
    const trust = vi.fn(async (organizationId: string, _session: TurnkeySession) => organizationId === "org-1");
    const verifier = verifierFor({ trustedOrganizations: trust });
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-9" }, { now: NOW });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(trust).toHaveBeenCalledTimes(2);
    expect(trust.mock.calls[0]?.[0]).toBe("org-1");
    expect(trust.mock.calls[0]?.[1]).toMatchObject({ userId: "user-9" });
  });

  it("fails closed with unavailable (503) when the trust function throws, and never on a truthy non-true answer", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    const throwing = verifierFor({ trustedOrganizations: () => Promise.reject(new Error("db down")) });
    expect(await rejection(throwing.verify(token))).toMatchObject({ code: "unavailable", status: 503 });
    const truthy = verifierFor({ trustedOrganizations: () => "yes" as unknown as boolean });
    expect((await rejection(truthy.verify(token))).code).toBe("untrusted_organization");
  });

  it("works with the cache off", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    const verifier = verifierFor({ cache: false });
    await expect(verifier.verify(token)).resolves.toMatchObject({ organizationId: "org-1" });
    await expect(verifier.verify(token)).resolves.toMatchObject({ organizationId: "org-1" });
  });

  it("serves a repeated token from the cache: the same session object", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    const verifier = verifierFor();
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first);
    verifier.clearCache();
    expect(await verifier.verify(token)).not.toBe(first);
  });

  it("refuses a forgery that reuses a cached token's signature, and keeps serving that token's session", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" }, { now: NOW });
    const verifier = verifierFor();
    const session = await verifier.verify(token);
    const [header, , signature] = token.split(".");
    const otherPayload = Buffer.from(JSON.stringify({ ...session.claims, user_id: "admin" })).toString("base64url");
    const forgery = `${header}.${otherPayload}.${signature}`;
    expect(verifier.cached(forgery)).toBeUndefined();
    expect((await rejection(verifier.verify(forgery))).code).toBe("invalid_signature");
    expect((await rejection(verifier.verify(forgery))).code).toBe("invalid_signature"); // from the refusals
    expect(verifier.cached(token)).toBe(session);
    expect(await verifier.verify(token)).toBe(session);
  });

  it("says missing_token for an empty token and malformed_token past maxTokenLength, before decoding", async () => {
    expect((await rejection(verifierFor().verify(""))).code).toBe("missing_token");
    const long = "a".repeat(200);
    expect((await rejection(verifierFor({ maxTokenLength: 100 }).verify(long))).message).toMatch(/longer than allowed/);
  });

  it("mints tokens the reference implementation accepts (the testing kit is byte-exact)", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" });
    await expect(verifySessionJwtSignature(token, notarizer.publicKey)).resolves.toBe(true);
  });
});

describe("verifier.cached", () => {
  it("is the session of a token verified before, live and trusted now; undefined otherwise, and never throws", async () => {
    let clock = NOW;
    const verifier = verifierFor({ now: () => clock });
    const token = await notarizer.sign({ organization_id: "org-1", exp: NOW / 1000 + 60 });
    expect(verifier.cached(token)).toBeUndefined(); // never verified: verify() would check it
    const session = await verifier.verify(token);
    expect(verifier.cached(token)).toBe(session);
    for (const other of ["", "x", token.slice(1), 42 as unknown as string, undefined as unknown as string]) {
      expect(verifier.cached(other)).toBeUndefined();
    }
    clock = NOW + 3_600_000;
    expect(verifier.cached(token)).toBeUndefined(); // expired now…
    expect((await rejection(verifier.verify(token))).code).toBe("token_expired"); // …and verify says so
    verifier.clearCache();
    clock = NOW;
    expect(verifier.cached(token)).toBeUndefined();
  });

  it("asks the trust rule: a list or a function answering at once; an answer still pending is left to verify(), which shares it", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    let trusted = true;
    const synchronous = verifierFor({ trustedOrganizations: () => trusted });
    const session = await synchronous.verify(token);
    expect(synchronous.cached(token)).toBe(session);
    trusted = false;
    expect(synchronous.cached(token)).toBeUndefined();
    expect((await rejection(synchronous.verify(token))).code).toBe("untrusted_organization");

    const trust = vi.fn(async () => true);
    const asynchronous = verifierFor({ trustedOrganizations: trust });
    await asynchronous.verify(token);
    trust.mockClear();
    expect(asynchronous.cached(token)).toBeUndefined();
    expect(await asynchronous.verify(token)).toBeDefined();
    expect(trust).toHaveBeenCalledTimes(1); // one question for the pair

    let down = false;
    const failing = verifierFor({ trustedOrganizations: async () => (down ? Promise.reject(new Error("db down")) : true) });
    await failing.verify(token);
    down = true;
    expect(failing.cached(token)).toBeUndefined(); // the rejection it saw is not left unhandled…
    expect((await rejection(failing.verify(token))).code).toBe("unavailable"); // …verify() reports it
  });
});

describe("verifySessionJwt", () => {
  it("verifies in one call and reuses the verifier for the same options object", async () => {
    const options = { trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, now: () => NOW };
    const token = await notarizer.sign({ organization_id: "org-1" }, { now: NOW });
    const first = await verifySessionJwt(token, options);
    expect(first.organizationId).toBe("org-1");
    expect(await verifySessionJwt(token, options)).toBe(first);
  });

  it("rejects with a TurnkeyAuthError instance", async () => {
    const options = { trustedOrganizations: ["org-1"] as const, notarizerPublicKey: notarizer.publicKey };
    await expect(verifySessionJwt("not-a-jwt", options)).rejects.toBeInstanceOf(TurnkeyAuthError);
  });
});

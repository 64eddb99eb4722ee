// Server nonces (RFC 9449 §8, §9) through the engine every adapter uses: off by default; when on, a
// proof without a nonce, with a stale one, a forged, truncated or oversized one, or one made with
// another secret is refused 401 use_dpop_nonce with a fresh DPoP-Nonce (never a 5xx), and the
// same secret on two authenticators accepts each other's nonces.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAuthenticator } from "../../src/adapter.js";
import { createDpopProof } from "../../src/client/index.js";
import { decodeBase64Url, encodeBase64Url } from "../../src/crypto/base64url.js";
import type { DpopOptions } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { testReader, type TestRequest } from "../helpers/http/kit.js";
import { createSession, ORIGIN, proofParts, signProof, type Session } from "../helpers/dpop/helpers.js";

const notarizer = createTestNotarizer();
const SECRET = "a shared secret of at least thirty-two bytes";
const URL_CALLED = `${ORIGIN}/transfers`;
const NONCE_SHAPE = /^[A-Za-z0-9_-]{48}$/;

function authenticatorWith(nonce: DpopOptions["nonce"], extra: Record<string, unknown> = {}) {
  const dpopOptions: DpopOptions = nonce === undefined ? { origin: ORIGIN } : { origin: ORIGIN, nonce };
  return createAuthenticator<TestRequest>({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, dpop: "required", dpopOptions, ...extra }, testReader);
}
type Authenticator = ReturnType<typeof authenticatorWith>;

function request(session: Session, proof: string): TestRequest {
  return { method: "POST", target: "/transfers", headers: { authorization: `DPoP ${session.token}`, dpop: proof } };
}

const proofWith = (session: Session, nonce: string | undefined, now: () => number = Date.now) =>
  createDpopProof({ token: session.token, method: "POST", url: URL_CALLED, privateKey: session.key.privateKey, now, ...(nonce === undefined ? {} : { nonce }) });

/** The nonce a refusal hands out, after checking that it is a use_dpop_nonce refusal. */
async function nonceFrom(authenticator: Authenticator, session: Session, proof: string): Promise<string> {
  const { failure } = await authenticator.authenticate(request(session, proof));
  expect(failure?.body.error).toBe("use_dpop_nonce");
  const nonce = failure?.headers["dpop-nonce"];
  expect(nonce).toMatch(NONCE_SHAPE);
  return nonce as string;
}

describe("DPoP server nonces", () => {
  it("are off by default: a proof without a nonce is accepted, and a nonce claim is not judged", async () => {
    const session = await createSession(notarizer);
    const authenticator = authenticatorWith(undefined);
    expect((await authenticator.authenticate(request(session, await proofWith(session, undefined)))).failure).toBeUndefined();
    expect((await authenticator.authenticate(request(session, await proofWith(session, "anything")))).failure).toBeUndefined();
  });

  it("refuse a proof without a nonce: 401 use_dpop_nonce, its challenge in the realm, a fresh DPoP-Nonce; the retry is granted", async () => {
    const session = await createSession(notarizer);
    const authenticator = authenticatorWith(true, { realm: "wallets-api" });
    const proof = await proofWith(session, undefined);
    const { failure } = await authenticator.authenticate(request(session, proof));
    expect(failure?.status).toBe(401);
    expect(failure?.body.error).toBe("use_dpop_nonce");
    expect(failure?.headers["www-authenticate"]).toMatch(/^DPoP realm="wallets-api", error="use_dpop_nonce", error_description="[^"]+", algs="ES256"$/);
    const nonce = failure?.headers["dpop-nonce"] as string;
    expect(nonce).toMatch(NONCE_SHAPE);
    expect(failure?.error.dpopNonce).toBe(nonce);
    for (const secretish of [proof.slice(0, 24), session.token.slice(0, 24)]) expect(JSON.stringify([failure?.body, failure?.headers])).not.toContain(secretish);
    const retried = await authenticator.authenticate(request(session, await proofWith(session, nonce)));
    expect(retried.failure).toBeUndefined();
    expect(retried.session?.publicKey).toBe(session.key.publicKeyHex);
  });

  it("accept a nonce in its period and the next, refuse it after that with a new one", async () => {
    let clock = Date.UTC(2026, 0, 1, 12, 0, 10);
    const now = () => clock;
    const session = await createSession(notarizer, { exp: Math.floor(clock / 1000) + 3600 });
    const authenticator = authenticatorWith({ lifetimeSeconds: 60 }, { now });
    const nonce = await nonceFrom(authenticator, session, await proofWith(session, undefined, now));
    clock += 60_000;
    expect((await authenticator.authenticate(request(session, await proofWith(session, nonce, now)))).failure).toBeUndefined();
    clock += 60_000;
    const fresh = await nonceFrom(authenticator, session, await proofWith(session, nonce, now));
    expect(fresh).not.toBe(nonce);
    expect((await authenticator.authenticate(request(session, await proofWith(session, fresh, now)))).failure).toBeUndefined();
  });

  it("refuse a forged, truncated, extended, re-dated or oversized nonce, and a nonce that is not a string", async () => {
    const session = await createSession(notarizer);
    const authenticator = authenticatorWith({ secret: SECRET });
    const nonce = await nonceFrom(authenticator, session, await proofWith(session, undefined));
    const bytes = decodeBase64Url(nonce) as Uint8Array;
    const redated = Uint8Array.from(bytes);
    redated[3] = ((redated[3] as number) + 1) & 0xff;
    const flipped = Uint8Array.from(bytes);
    flipped[35] = (flipped[35] as number) ^ 1;
    for (const bent of [nonce.slice(0, -1), `${nonce}A`, encodeBase64Url(redated), encodeBase64Url(flipped), `${nonce.slice(0, -2)}=`, "x".repeat(2000)]) {
      const { failure } = await authenticator.authenticate(request(session, await proofWith(session, bent)));
      expect(failure?.body.error, bent.slice(0, 60)).toBe("use_dpop_nonce");
      expect(failure?.headers["dpop-nonce"]).toBe(nonce);
    }
    const huge = await authenticator.authenticate(request(session, await proofWith(session, "x".repeat(5000))));
    expect([huge.failure?.status, huge.failure?.body.error]).toEqual([401, "invalid_dpop_proof"]);
    const parts = await proofParts(session, "POST", URL_CALLED);
    const numeric = await signProof(parts.header, { ...parts.claims, nonce: 42 }, session.key.privateKey);
    expect((await authenticator.authenticate(request(session, numeric))).failure?.body.error).toBe("invalid_dpop_proof");
  });

  it("answer any nonce string with a 401, never a 5xx or a grant (fast-check)", async () => {
    const session = await createSession(notarizer);
    const authenticator = authenticatorWith({ secret: SECRET });
    const base64url = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), minLength: 40, maxLength: 56 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 80 }), base64url), async (nonce) => {
        const { failure } = await authenticator.authenticate(request(session, await proofWith(session, nonce)));
        expect(failure?.status).toBe(401);
        expect(["use_dpop_nonce", "invalid_dpop_proof"]).toContain(failure?.body.error);
      }),
      { numRuns: 150 },
    );
  });

  it("work across instances sharing the secret, and only there; without a secret, within this process", async () => {
    const session = await createSession(notarizer);
    const first = authenticatorWith({ secret: SECRET });
    const second = authenticatorWith({ secret: new TextEncoder().encode(SECRET) });
    const elsewhere = authenticatorWith({ secret: "another secret, also thirty-two bytes long" });
    const perProcess = authenticatorWith(true);
    const nonce = await nonceFrom(first, session, await proofWith(session, undefined));
    expect((await second.authenticate(request(session, await proofWith(session, nonce)))).failure).toBeUndefined();
    expect(await nonceFrom(elsewhere, session, await proofWith(session, nonce))).not.toBe(nonce);
    const own = await nonceFrom(perProcess, session, await proofWith(session, nonce));
    expect(own).not.toBe(nonce);
    expect((await authenticatorWith(true).authenticate(request(session, await proofWith(session, own)))).failure).toBeUndefined();
    expect(await nonceFrom(first, session, await proofWith(session, own))).toBe(nonce);
  });

  it("refuse bad settings with a TypeError naming the option", () => {
    expect(() => authenticatorWith("yes" as never)).toThrow(/"dpopOptions\.nonce"/);
    expect(() => authenticatorWith({ secret: "too short" })).toThrow(/"dpopOptions\.nonce\.secret" must be .* at least 32 bytes/);
    expect(() => authenticatorWith({ secret: new Uint8Array(31) })).toThrow(/"dpopOptions\.nonce\.secret"/);
    expect(() => authenticatorWith({ secret: 42 as never })).toThrow(/"dpopOptions\.nonce\.secret"/);
    expect(() => authenticatorWith({ lifetimeSeconds: 5 })).toThrow(/"dpopOptions\.nonce\.lifetimeSeconds"/);
    expect(() => authenticatorWith({ lifetimeSeconds: 1.5 })).toThrow(/"dpopOptions\.nonce\.lifetimeSeconds"/);
    expect(() => authenticatorWith(false)).not.toThrow();
  });
});

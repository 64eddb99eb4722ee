// DPoP (RFC 9449) through the engine every adapter uses, with the adapter kit's test reader: each
// check of the issue violated one at a time, with its code; no downgrade; replay refused across
// two authenticators sharing one store; a failing store never grants.
import { describe, expect, it } from "vitest";
import { createAuthenticator } from "../../src/adapter.js";
import { createMemoryStore, type SessionStore } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { testReader, type TestRequest } from "../helpers/http/kit.js";
import { createSession, createSessionKey, ORIGIN, proofFor, proofParts, signProof, type Session } from "../helpers/dpop/helpers.js";

const notarizer = createTestNotarizer();
const base = { trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, dpopOptions: { origin: ORIGIN } };
const authenticatorWith = (options: Record<string, unknown> = {}) =>
  createAuthenticator<TestRequest>({ ...base, dpop: "required", ...options }, testReader);

function dpopRequest(session: Session, proof: string | undefined, extra: Partial<TestRequest> = {}): TestRequest {
  return { method: "POST", target: "/transfers?amount=5", headers: { authorization: `DPoP ${session.token}`, ...(proof === undefined ? {} : { dpop: proof }) }, ...extra };
}

describe("DPoP-bound requests", () => {
  it("accepts a proof signed by the session's own key, with the query left out of htu", async () => {
    const session = await createSession(notarizer);
    const proof = await proofFor(session, "POST", `${ORIGIN}/transfers?ignored=1`);
    const result = await authenticatorWith().authenticate(dpopRequest(session, proof));
    expect(result.failure).toBeUndefined();
    expect(result.session?.publicKey).toBe(session.key.publicKeyHex);
  });

  it("refuses each violated check with its own code and a DPoP challenge, never quoting proof or token", async () => {
    const session = await createSession(notarizer);
    const other = await createSessionKey();
    const url = `${ORIGIN}/transfers`;
    type Bend = (parts: Awaited<ReturnType<typeof proofParts>>) => void;
    const cases: [string, Bend | string, string][] = [
      ["typ JWT", (p) => { p.header.typ = "JWT"; }, "invalid_dpop_proof"],
      ["alg none", (p) => { p.header.alg = "none"; }, "invalid_dpop_proof"],
      ["alg HS256", (p) => { p.header.alg = "HS256"; }, "invalid_dpop_proof"],
      ["alg es256", (p) => { p.header.alg = "es256"; }, "invalid_dpop_proof"],
      ["a private jwk", (p) => { p.header.jwk = { ...session.key.jwk, d: "AAAA" }; }, "invalid_dpop_proof"],
      ["an RSA jwk", (p) => { p.header.jwk = { kty: "RSA", n: "AQAB", e: "AQAB" }; }, "invalid_dpop_proof"],
      ["a crit header", (p) => { p.header.crit = ["b64"]; }, "invalid_dpop_proof"],
      ["no jti", (p) => { delete p.claims.jti; }, "invalid_dpop_proof"],
      ["no ath", (p) => { delete p.claims.ath; }, "invalid_dpop_proof"],
      ["iat as a string", (p) => { p.claims.iat = String(p.claims.iat); }, "invalid_dpop_proof"],
      ["another key", (p) => { p.header.jwk = other.jwk; }, "dpop_key_mismatch"],
      ["htm GET", (p) => { p.claims.htm = "GET"; }, "dpop_method_mismatch"],
      ["htm post", (p) => { p.claims.htm = "post"; }, "dpop_method_mismatch"],
      ["another host", (p) => { p.claims.htu = "https://evil.example.com/transfers"; }, "dpop_url_mismatch"],
      ["another path", (p) => { p.claims.htu = `${ORIGIN}/transfers/all`; }, "dpop_url_mismatch"],
      ["another scheme", (p) => { p.claims.htu = "http://api.example.com/transfers"; }, "dpop_url_mismatch"],
      ["another port", (p) => { p.claims.htu = "https://api.example.com:8443/transfers"; }, "dpop_url_mismatch"],
      ["user info", (p) => { p.claims.htu = "https://me@api.example.com/transfers"; }, "dpop_url_mismatch"],
      ["iat 61 s old", (p) => { p.claims.iat = (p.claims.iat as number) - 61; }, "dpop_stale_proof"],
      ["iat 6 s ahead", (p) => { p.claims.iat = (p.claims.iat as number) + 6; }, "dpop_stale_proof"],
      ["ath of another token", async (p) => { p.claims.ath = "A".repeat(43); }, "dpop_token_mismatch"],
    ];
    const authenticator = authenticatorWith();
    for (const [name, bend, code] of cases) {
      const parts = await proofParts(session, "POST", url);
      if (typeof bend === "function") await bend(parts);
      const proof = await signProof(parts.header, parts.claims, session.key.privateKey);
      const { failure } = await authenticator.authenticate(dpopRequest(session, proof));
      expect(failure?.body.error, name).toBe(code);
      expect(failure?.status, name).toBe(401);
      expect(failure?.headers["www-authenticate"], name).toMatch(/^DPoP realm="turnkey", error="invalid_dpop_proof", error_description="[^"]*", algs="ES256"$/);
      expect(JSON.stringify(failure?.body), name).not.toContain(proof.slice(0, 20));
      expect(JSON.stringify(failure?.headers), name).not.toContain(session.token.slice(0, 20));
    }
  });

  it("refuses a proof signed by another key (its jwk still naming the session key)", async () => {
    const session = await createSession(notarizer);
    const other = await createSessionKey();
    const { header, claims } = await proofParts(session, "POST", `${ORIGIN}/transfers`);
    const proof = await signProof(header, claims, other.privateKey);
    expect((await authenticatorWith().authenticate(dpopRequest(session, proof))).failure?.body.error).toBe("dpop_invalid_signature");
  });

  it("refuses no proof, two DPoP headers, a joined pair, an oversized proof, or garbage", async () => {
    const session = await createSession(notarizer);
    const proof = await proofFor(session, "POST", `${ORIGIN}/transfers`);
    const authenticator = authenticatorWith();
    const codeOf = async (request: TestRequest) => (await authenticator.authenticate(request)).failure?.body.error;
    expect(await codeOf(dpopRequest(session, undefined))).toBe("invalid_dpop_proof");
    expect(await codeOf(dpopRequest(session, `${proof}, ${proof}`))).toBe("invalid_dpop_proof");
    expect(await codeOf(dpopRequest(session, proof, { rawHeaders: ["Authorization", `DPoP ${session.token}`, "DPoP", proof, "dpop", proof] }))).toBe("invalid_dpop_proof");
    expect(await codeOf(dpopRequest(session, `${proof}${"A".repeat(5000)}`))).toBe("invalid_dpop_proof");
    expect(await codeOf(dpopRequest(session, "not.a.jws.at.all"))).toBe("invalid_dpop_proof");
  });

  it("refuses a replayed proof, also across two authenticators sharing one store", async () => {
    const session = await createSession(notarizer);
    const store = createMemoryStore();
    const first = authenticatorWith({ store });
    const second = authenticatorWith({ store });
    const proof = await proofFor(session, "POST", `${ORIGIN}/transfers`);
    expect((await first.authenticate(dpopRequest(session, proof))).failure).toBeUndefined();
    expect((await first.authenticate(dpopRequest(session, proof))).failure?.body.error).toBe("dpop_replayed");
    expect((await second.authenticate(dpopRequest(session, proof))).failure?.body.error).toBe("dpop_replayed");
    // Concurrently on both instances: exactly one is granted.
    const again = await proofFor(session, "POST", `${ORIGIN}/transfers`);
    const results = await Promise.all([first, second, first, second].map((instance) => instance.authenticate(dpopRequest(session, again))));
    expect(results.filter((result) => result.failure === undefined)).toHaveLength(1);
  });

  it("a failing store never grants (503 unavailable)", async () => {
    const session = await createSession(notarizer);
    const broken: SessionStore = {
      get: async () => undefined,
      set: async () => undefined,
      setIfAbsent: async () => { throw new Error("store down"); },
      delete: async () => undefined,
    };
    const { failure } = await authenticatorWith({ store: broken }).authenticate(dpopRequest(session, await proofFor(session, "POST", `${ORIGIN}/transfers`)));
    expect(failure).toMatchObject({ status: 503, body: { error: "unavailable" } });
  });

  it("required: no downgrade to Bearer or cookie; optional: Bearer still accepted, DPoP checked when used", async () => {
    const session = await createSession(notarizer);
    const bearerRequest: TestRequest = { method: "POST", target: "/transfers", headers: { authorization: `Bearer ${session.token}` } };
    const required = authenticatorWith();
    expect((await required.authenticate(bearerRequest)).failure).toMatchObject({
      status: 401,
      body: { error: "dpop_required" },
      headers: { "www-authenticate": expect.stringMatching(/^DPoP realm="turnkey", error="invalid_token", .*algs="ES256"$/) },
    });
    expect((await authenticatorWith({ cookieName: "session" }).authenticate({ headers: { cookie: `session=${session.token}` } })).failure?.body.error).toBe("dpop_required");
    expect((await required.authenticate({})).failure?.headers["www-authenticate"]).toBe('DPoP realm="turnkey", algs="ES256"');

    const optional = authenticatorWith({ dpop: "optional" });
    expect((await optional.authenticate(bearerRequest)).failure).toBeUndefined();
    expect((await optional.authenticate(dpopRequest(session, undefined))).failure?.body.error).toBe("invalid_dpop_proof");
    expect((await optional.authenticate({})).failure?.headers["www-authenticate"]).toBe('Bearer realm="turnkey", DPoP realm="turnkey", algs="ES256"');
    expect((await optional.authenticate(dpopRequest(session, await proofFor(session, "POST", `${ORIGIN}/transfers`)))).failure).toBeUndefined();
  });

  it("off (the default): Authorization: DPoP is not read, Bearer challenges as before", async () => {
    const session = await createSession(notarizer);
    const off = createAuthenticator<TestRequest>({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey }, testReader);
    const { failure } = await off.authenticate(dpopRequest(session, await proofFor(session, "POST", `${ORIGIN}/transfers`)));
    expect(failure?.headers["www-authenticate"]).toBe('Bearer realm="turnkey"');
  });

  it("a route may require DPoP on top of an optional app-wide mode, reusing a proven grant (no second jti use)", async () => {
    const session = await createSession(notarizer);
    const authenticator = authenticatorWith({ dpop: "optional" });
    const proven = dpopRequest(session, await proofFor(session, "POST", `${ORIGIN}/transfers`));
    expect((await authenticator.authenticate(proven)).failure).toBeUndefined();
    expect((await authenticator.authenticate(proven, authenticator.route([{ dpop: "required" }], "with()"))).failure).toBeUndefined();
    const bearerOnly: TestRequest = { method: "POST", target: "/transfers", headers: { authorization: `Bearer ${session.token}` } };
    expect((await authenticator.authenticate(bearerOnly)).failure).toBeUndefined();
    expect((await authenticator.authenticate(bearerOnly, authenticator.route([{ dpop: "required" }], "with()"))).failure?.body.error).toBe("dpop_required");
  });

  it("htu: the configured origins, or the Host header only with trustHostHeader", async () => {
    const session = await createSession(notarizer);
    const two = authenticatorWith({ dpopOptions: { origin: [ORIGIN, "https://api.example.org"] } });
    expect((await two.authenticate(dpopRequest(session, await proofFor(session, "POST", "https://api.example.org/transfers")))).failure).toBeUndefined();
    const byHost = authenticatorWith({ dpopOptions: { trustHostHeader: true } });
    const hosted = (proof: string, host: string) => dpopRequest(session, proof, { headers: { authorization: `DPoP ${session.token}`, dpop: proof, host } });
    expect((await byHost.authenticate(hosted(await proofFor(session, "POST", "https://shop.example/transfers"), "shop.example"))).failure).toBeUndefined();
    expect((await byHost.authenticate(hosted(await proofFor(session, "POST", "https://shop.example/transfers"), "evil.example"))).failure?.body.error).toBe("dpop_url_mismatch");
    expect((await byHost.authenticate(hosted(await proofFor(session, "POST", "https://shop.example/transfers"), "shop.example/x@y"))).failure?.body.error).toBe("dpop_url_mismatch");
  });

  it("the iat window is configurable", async () => {
    const session = await createSession(notarizer);
    const now = Date.now();
    const wide = authenticatorWith({ now: () => now, dpopOptions: { origin: ORIGIN, maxAgeSeconds: 300, futureSeconds: 30 } });
    expect((await wide.authenticate(dpopRequest(session, await proofFor(session, "POST", `${ORIGIN}/transfers`, () => now - 200_000)))).failure).toBeUndefined();
    expect((await wide.authenticate(dpopRequest(session, await proofFor(session, "POST", `${ORIGIN}/transfers`, () => now + 20_000)))).failure).toBeUndefined();
    expect((await wide.authenticate(dpopRequest(session, await proofFor(session, "POST", `${ORIGIN}/transfers`, () => now - 301_000)))).failure?.body.error).toBe("dpop_stale_proof");
  });

  it("bad configuration is a TypeError naming the option, at construction or when the route is declared", () => {
    expect(() => authenticatorWith({ dpop: "always" })).toThrow(/"dpop"/);
    expect(() => authenticatorWith({ dpopOptions: {} })).toThrow(/"dpopOptions.origin"/);
    expect(() => authenticatorWith({ dpopOptions: { origin: "https://api.example.com/path" } })).toThrow(/"dpopOptions.origin"/);
    expect(() => authenticatorWith({ dpopOptions: { origin: ORIGIN, maxAgeSeconds: -1 } })).toThrow(/"dpopOptions.maxAgeSeconds"/);
    const plain = createAuthenticator<TestRequest>({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey }, testReader);
    expect(() => plain.route([{ dpop: "required" }], "with()")).toThrow(/"dpopOptions"/);
    expect(() => authenticatorWith().route([{ dpop: "sometimes" }], "with()")).toThrow(/"dpop"/);
  });
});

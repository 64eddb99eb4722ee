// Proven against others' code: proofs made by panva's `dpop` package (RFC 9449 reference client)
// with a key pair whose public key is the session's are accepted; proofs made by our client helper
// pass an independent check written here from RFC 9449 §4.2–4.3; @turnkey/api-key-stamper's raw
// signature (what signWithApiKey returns) signs a proof the backend accepts.
import { ApiKeyStamper, SignatureFormat } from "@turnkey/api-key-stamper";
import { generateProof } from "dpop";
import { describe, expect, it } from "vitest";
import { createAuthenticator } from "../../src/adapter.js";
import { createDpopProof, dpopFetch } from "../../src/client/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { generateP256KeyPairHex } from "../../src/testing/emulator/keys.js";
import { testReader, type TestRequest } from "../helpers/http/kit.js";
import { ALG, athOf, createSession, ORIGIN } from "../helpers/dpop/helpers.js";

const notarizer = createTestNotarizer();
const authenticator = createAuthenticator<TestRequest>(
  { trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, dpop: "required", dpopOptions: { origin: ORIGIN } },
  testReader,
);
const request = (token: string, proof: string, method = "GET", target = "/me"): TestRequest => ({ method, target, headers: { authorization: `DPoP ${token}`, dpop: proof } });
const decode = (segment: string) => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));

/** RFC 9449 §4.3, written from the RFC alone: the checks a resource server must make. */
async function independentlyValid(proof: string, token: string, method: string, url: string, nowSeconds: number): Promise<boolean> {
  const [h, p, s] = proof.split(".");
  const header = decode(h!);
  const claims = decode(p!);
  if (header.typ !== "dpop+jwt" || header.alg !== "ES256" || "d" in header.jwk) return false;
  const key = await crypto.subtle.importKey("jwk", header.jwk, ALG, false, ["verify"]);
  const signed = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, Buffer.from(s!, "base64url"), new TextEncoder().encode(`${h}.${p}`));
  const target = new URL(url);
  return signed && typeof claims.jti === "string" && claims.jti.length >= 16 && claims.htm === method
    && claims.htu === target.origin + target.pathname && Math.abs(claims.iat - nowSeconds) <= 5 && claims.ath === (await athOf(token));
}

describe("interoperability", () => {
  it("accepts proofs from panva's dpop generateProof with the session's key pair", async () => {
    const session = await createSession(notarizer);
    for (const method of ["GET", "POST", "DELETE"]) {
      const proof = await generateProof(session.key, `${ORIGIN}/me`, method, undefined, session.token);
      const result = await authenticator.authenticate(request(session.token, proof, method));
      expect(result.failure, method).toBeUndefined();
    }
  });

  it("our client's proofs pass an independent RFC 9449 check (and it refuses a tampered one)", async () => {
    const session = await createSession(notarizer);
    const url = `${ORIGIN}/things/1?expand=all#top`;
    const proof = await createDpopProof({ token: session.token, method: "post", url, privateKey: session.key.privateKey });
    const nowSeconds = Date.now() / 1000;
    expect(await independentlyValid(proof, session.token, "POST", url, nowSeconds)).toBe(true);
    expect(await independentlyValid(proof, `${session.token}x`, "POST", url, nowSeconds)).toBe(false);
    expect(decode(proof.split(".")[0]!).jwk).toEqual(session.key.jwk);
  });

  it("a proof signed through @turnkey/api-key-stamper's raw signature (signWithApiKey's signer) is accepted", async () => {
    const pair = generateP256KeyPairHex();
    const token = await notarizer.sign({ organization_id: "org-1", public_key: pair.publicKey });
    const stamper = new ApiKeyStamper({ apiPublicKey: pair.publicKey, apiPrivateKey: pair.privateKey });
    const proof = await createDpopProof({ token, method: "GET", url: `${ORIGIN}/me`, sign: (message) => stamper.sign(message, SignatureFormat.Raw) });
    expect((await authenticator.authenticate(request(token, proof))).failure).toBeUndefined();
  });

  it("dpopFetch sends Authorization: DPoP and a fresh proof per request", async () => {
    const session = await createSession(notarizer);
    const sent: Request[] = [];
    const api = dpopFetch({ token: () => session.token, privateKey: session.key.privateKey, fetch: async (input, init) => (sent.push(new Request(input, init)), new Response("ok")) });
    await api(`${ORIGIN}/me?x=1`);
    await api(new Request(`${ORIGIN}/me`, { method: "DELETE" }));
    expect(sent.map((each) => each.headers.get("authorization"))).toEqual([`DPoP ${session.token}`, `DPoP ${session.token}`]);
    const proofs = sent.map((each) => each.headers.get("dpop")!);
    expect(decode(proofs[0]!.split(".")[1]!).jti).not.toBe(decode(proofs[1]!.split(".")[1]!).jti);
    expect((await authenticator.authenticate(request(session.token, proofs[0]!))).failure).toBeUndefined();
    expect((await authenticator.authenticate(request(session.token, proofs[1]!, "DELETE"))).failure).toBeUndefined();
  });

  it("the client refuses a signer that does not return a raw 64-byte signature", async () => {
    const session = await createSession(notarizer);
    await expect(createDpopProof({ token: session.token, method: "GET", url: `${ORIGIN}/me`, sign: () => "30440220" })).rejects.toThrow(/64-byte/);
    await expect(createDpopProof({ token: "a.b.c", method: "GET", url: `${ORIGIN}/me`, sign: () => "00" })).rejects.toThrow(/public_key/);
  });
});

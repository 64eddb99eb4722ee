// dpopFetch and server nonces (RFC 9449 §8), against a scripted server: the nonce each origin sent
// goes into later proofs (and is replaced whenever a response carries a new one), a use_dpop_nonce
// refusal is retried once only, and a body that cannot be sent twice is not retried.
import { describe, expect, it } from "vitest";
import { dpopFetch } from "../../src/client/index.js";
import { decodeJsonSegment } from "../../src/jwt/parse.js";
import { createSession } from "../helpers/dpop/helpers.js";

const REFUSAL = 'DPoP realm="turnkey", error="use_dpop_nonce", error_description="nonce", algs="ES256"';

type Answer = { status: number; nonce?: string; challenge?: string };

/** A fetch answering from `script`, recording each request's URL and its proof's nonce claim. */
function scripted(script: Answer[]) {
  const sent: { url: string; nonce: unknown }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const proof = new Headers(init?.headers).get("dpop") as string;
    const claims = decodeJsonSegment(proof.split(".")[1] as string) as { nonce?: unknown };
    sent.push({ url: input instanceof Request ? input.url : String(input), nonce: claims.nonce });
    const answer = script.shift() ?? { status: 200 };
    const headers = new Headers();
    if (answer.nonce !== undefined) headers.set("dpop-nonce", answer.nonce);
    if (answer.challenge !== undefined) headers.set("www-authenticate", answer.challenge);
    return new Response("{}", { status: answer.status, headers });
  };
  return { sent, fetchImpl };
}

describe("dpopFetch with server nonces", () => {
  it("retries a use_dpop_nonce refusal once, then keeps each origin's latest nonce", async () => {
    const session = await createSession();
    const { sent, fetchImpl } = scripted([
      { status: 401, nonce: "n1", challenge: REFUSAL },
      { status: 200 },
      { status: 200, nonce: "n2" },
      { status: 200 },
      { status: 200 },
    ]);
    const api = dpopFetch({ token: session.token, privateKey: session.key.privateKey, fetch: fetchImpl });
    expect((await api("https://a.example/x", { method: "PUT", body: "{}" })).status).toBe(200);
    await api("https://a.example/y");
    await api("https://a.example/z");
    await api("https://b.example/z");
    expect(sent).toEqual([
      { url: "https://a.example/x", nonce: undefined },
      { url: "https://a.example/x", nonce: "n1" },
      { url: "https://a.example/y", nonce: "n1" },
      { url: "https://a.example/z", nonce: "n2" },
      { url: "https://b.example/z", nonce: undefined },
    ]);
  });

  it("does not retry twice, nor without a new nonce, nor another 401, nor a body that cannot be resent", async () => {
    const session = await createSession();
    const cases: [string, Answer[], RequestInit | undefined, (url: string) => RequestInfo, number][] = [
      ["refused again", [{ status: 401, nonce: "n1", challenge: REFUSAL }, { status: 401, nonce: "n2", challenge: REFUSAL }], undefined, (url) => url, 2],
      ["no DPoP-Nonce", [{ status: 401, challenge: REFUSAL }], undefined, (url) => url, 1],
      ["a nonce that is not one", [{ status: 401, nonce: "a b", challenge: REFUSAL }], undefined, (url) => url, 1],
      ["another error", [{ status: 401, nonce: "n1", challenge: 'DPoP error="invalid_dpop_proof"' }], undefined, (url) => url, 1],
      ["a stream body", [{ status: 401, nonce: "n1", challenge: REFUSAL }], { method: "POST", body: new ReadableStream(), duplex: "half" } as RequestInit, (url) => url, 1],
      ["a Request with a body", [{ status: 401, nonce: "n1", challenge: REFUSAL }], undefined, (url) => new Request(url, { method: "POST", body: "{}" }), 1],
    ];
    for (const [name, script, init, input, calls] of cases) {
      const { sent, fetchImpl } = scripted(script);
      const api = dpopFetch({ token: session.token, privateKey: session.key.privateKey, fetch: fetchImpl });
      expect((await api(input("https://a.example/x"), init)).status, name).toBe(401);
      expect(sent, name).toHaveLength(calls);
    }
  });
});

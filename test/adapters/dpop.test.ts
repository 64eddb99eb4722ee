// DPoP (RFC 9449) through each real framework: proofs by the client helper with the session key
// accepted, Bearer refused where the route requires DPoP (no downgrade) and accepted where it is
// optional, replays and duplicate DPoP headers refused, all with a DPoP challenge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNotarizer } from "../../src/testing/index.js";
import { createSession, proofFor, type Session } from "../helpers/dpop/helpers.js";
import { expressDpopApp, fastifyDpopApp, honoDpopApp, koaDpopApp, type DpopApp, type StartDpopApp } from "../helpers/adapters/dpop-apps.js";
import { send, type HeaderPairs } from "../helpers/adapters/http.js";

const ORIGIN = "https://api.example.com";
const notarizer = createTestNotarizer();

describe.each<[string, StartDpopApp]>([
  ["express", expressDpopApp],
  ["koa", koaDpopApp],
  ["fastify", fastifyDpopApp],
  ["hono", honoDpopApp],
])("DPoP through %s", (_name, start) => {
  let app: DpopApp;
  let session: Session;
  beforeAll(async () => {
    app = await start({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey });
    session = await createSession(notarizer);
  });
  afterAll(() => app.close());

  const dpopHeaders = (proof: string): HeaderPairs => [["authorization", `DPoP ${session.token}`], ["dpop", proof]];
  const transfer = (headers: HeaderPairs) => send(app.port, "/api/transfers?amount=5", [...headers, ["content-type", "application/json"]], { method: "POST", body: "{}" });

  it("accepts a proof by the session key on the route requiring DPoP", async () => {
    const reply = await transfer(dpopHeaders(await proofFor(session, "POST", `${ORIGIN}/api/transfers`)));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ userId: expect.any(String) });
  });

  it("refuses Bearer where the route requires DPoP, accepts it where DPoP is optional", async () => {
    const refused = await transfer([["authorization", `Bearer ${session.token}`]]);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("dpop_required");
    expect(refused.header("www-authenticate")).toMatch(/^DPoP realm="turnkey", error="invalid_token", .*algs="ES256"$/);
    expect((await send(app.port, "/me", [["authorization", `Bearer ${session.token}`]])).status).toBe(200);
    expect((await send(app.port, "/me", dpopHeaders(await proofFor(session, "GET", `${ORIGIN}/me`)))).status).toBe(200);
  });

  it("refuses a replayed proof, a proof for another path, and two DPoP headers", async () => {
    const proof = await proofFor(session, "POST", `${ORIGIN}/api/transfers`);
    expect((await transfer(dpopHeaders(proof))).status).toBe(200);
    const replayed = await transfer(dpopHeaders(proof));
    expect([replayed.status, replayed.body.error]).toEqual([401, "dpop_replayed"]);
    expect(replayed.header("www-authenticate")).toMatch(/^DPoP realm="turnkey", error="invalid_dpop_proof", .*algs="ES256"$/);
    const elsewhere = await transfer(dpopHeaders(await proofFor(session, "POST", `${ORIGIN}/transfers`)));
    expect([elsewhere.status, elsewhere.body.error]).toEqual([401, "dpop_url_mismatch"]);
    const fresh = await proofFor(session, "POST", `${ORIGIN}/api/transfers`);
    const twice = await transfer([...dpopHeaders(fresh), ["dpop", fresh]]);
    expect([twice.status, twice.body.error]).toEqual([401, "invalid_dpop_proof"]);
  });
});

// examples/dpop/app.ts (shown in docs/dpop.md) on a real server: Bearer accepted on /me, refused on
// POST /transfers, which takes a request signed by the session key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../examples/dpop/app.js";
import { createNonceApp } from "../../examples/dpop/nonces.js";
import { dpopFetch } from "../../src/client/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { listen, type LiveServer } from "../helpers/adapters/http.js";
import { createSession, type Session } from "../helpers/dpop/helpers.js";

const notarizer = createTestNotarizer();
let server: LiveServer;
let session: Session;
let origin: string;
beforeAll(async () => {
  let app: ReturnType<typeof createApp> | undefined;
  server = await listen((req, res) => app!(req, res));
  origin = `http://127.0.0.1:${server.port}`;
  app = createApp({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey }, origin);
  session = await createSession(notarizer);
});
afterAll(() => server.close());

describe("examples/dpop", () => {
  it("Bearer reads /me; POST /transfers needs the session key's proof", async () => {
    const bearer = { authorization: `Bearer ${session.token}` };
    expect((await fetch(`${origin}/me`, { headers: bearer })).status).toBe(200);
    const copied = await fetch(`${origin}/transfers`, { method: "POST", headers: bearer });
    expect([copied.status, ((await copied.json()) as { error: string }).error]).toEqual([401, "dpop_required"]);
    const signed = dpopFetch({ token: session.token, privateKey: session.key.privateKey });
    const transfer = await signed(`${origin}/transfers`, { method: "POST" });
    expect([transfer.status, await transfer.json()]).toEqual([200, { from: "org-1", accepted: true }]);
  });

  it("with server nonces: dpopFetch learns the nonce from the first refusal and retries", async () => {
    let app: ReturnType<typeof createNonceApp> | undefined;
    const nonceServer = await listen((req, res) => app!(req, res));
    try {
      const nonceOrigin = `http://127.0.0.1:${nonceServer.port}`;
      app = createNonceApp({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey }, nonceOrigin, "a secret of 32 bytes or more, from the environment");
      const statuses: number[] = [];
      const signed = dpopFetch({ token: session.token, privateKey: session.key.privateKey, fetch: async (input, init) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        return response;
      } });
      const transfer = await signed(`${nonceOrigin}/transfers`, { method: "POST" });
      expect([transfer.status, await transfer.json()]).toEqual([200, { from: "org-1", accepted: true }]);
      expect(statuses).toEqual([401, 200]);
    } finally {
      await nonceServer.close();
    }
  });
});

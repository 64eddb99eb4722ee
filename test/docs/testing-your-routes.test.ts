// docs/testing.md shows this test: an app's routes tested with sessions minted offline.
import express from "express";
import request from "supertest";
import { describe, it } from "vitest";
import { turnkeyAuth, type ExpressTurnkeyAuthOptions } from "../../src/adapters/express.js";
import { createTestNotarizer } from "../../src/testing/index.js";

/** Your app, made from its configuration, as examples/<framework>/app.ts are. */
function createApp(config: { auth: ExpressTurnkeyAuthOptions }): express.Express {
  const app = express();
  app.get("/me", turnkeyAuth(config.auth), (req, res) => res.json({ userId: req.turnkey!.userId }));
  return app;
}

describe("testing your routes", () => {
  const notarizer = createTestNotarizer();
  const app = createApp({ auth: { trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey } });

  it("answers a session of a trusted organization, and refuses an expired one", async () => {
    const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" }); // exp 15 min ahead
    const expired = await notarizer.sign({ organization_id: "org-1" }, { expiresInSeconds: -60 });
    await request(app).get("/me").set("authorization", `Bearer ${token}`).expect(200, { userId: "user-1" });
    await request(app).get("/me").set("authorization", `Bearer ${expired}`).expect(401);
  });

  it("refuses what is signed but malformed", async () => {
    // Any header and payload, signed byte for byte: for tests of what must be refused although signed.
    const odd = notarizer.signRaw({ header: { alg: "ES256", typ: "JWT", crit: ["exp"] }, payload: '{"exp":1e309}' });
    await request(app).get("/me").set("authorization", `Bearer ${odd}`).expect(401);
  });
});

// An Express backend taking DPoP-bound requests (RFC 9449): Bearer or DPoP on most routes, DPoP
// required where a copied token must not be enough. Shown in docs/dpop.md; run by test/dpop/example.test.ts.
import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { requireReadWrite, type VerifyOptions } from "../../src/index.js";

export function createApp(verifyOptions: VerifyOptions, publicOrigin: string): express.Express {
  const app = express();
  const auth = turnkeyAuth({
    ...verifyOptions,
    dpop: "optional", // Bearer still accepted; a DPoP request's proof is checked
    dpopOptions: { origin: publicOrigin }, // the URL browsers call, e.g. "https://api.example.com"
  });
  app.use(auth);

  app.get("/me", (req, res) => {
    res.json({ userId: req.turnkey!.userId });
  });

  // A stolen token is useless here: the request must be signed by the session's own key.
  app.post("/transfers", auth.with({ dpop: "required" }, requireReadWrite()), (req, res) => {
    res.json({ from: req.turnkey!.organizationId, accepted: true });
  });

  return app;
}

// DPoP with server nonces (RFC 9449 §9): every proof must also carry a nonce this API issued in the
// last few minutes. Shown in docs/dpop.md; run by test/dpop/example.test.ts.
import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";
import type { VerifyOptions } from "../../src/index.js";

export function createNonceApp(verifyOptions: VerifyOptions, publicOrigin: string, nonceSecret: string): express.Express {
  const app = express();
  const auth = turnkeyAuth({
    ...verifyOptions,
    dpop: "required",
    dpopOptions: {
      origin: publicOrigin,
      // The same secret on every instance, at least 32 bytes: e.g. process.env.DPOP_NONCE_SECRET
      nonce: { secret: nonceSecret, lifetimeSeconds: 300 },
    },
  });

  app.post("/transfers", auth, (req, res) => {
    res.json({ from: req.turnkey!.organizationId, accepted: true });
  });

  return app;
}

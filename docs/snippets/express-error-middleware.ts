// docs/adapters.md: an Express error middleware answering forwarded refusals (forwardErrors: true).
import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { isTurnkeyAuthError } from "../../src/index.js";

export const app = express();
app.get("/me", turnkeyAuth({ trustedOrganizations: ["org-1"], forwardErrors: true }), (req, res) => {
  res.json({ userId: req.turnkey!.userId });
});

// After the routes: Express hands it every error they pass to next(), ours included.
app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
  if (!isTurnkeyAuthError(error)) return next(error);
  res.set(error.headers).status(error.status).json({ error: error.code });
});

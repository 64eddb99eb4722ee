import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { organizationFromParam } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";

export function createApp(config: ExampleConfig): express.Express {
  const app = express();
  const auth = turnkeyAuth(config.auth);

  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });

  app.get("/me", auth, (req, res) => {
    const { userId, organizationId, sessionType, expiresAt } = req.turnkey!; // set by `auth`
    res.json({ userId, organizationId, sessionType, expiresAt });
  });

  // Only members of the organization in the URL get in (403 otherwise).
  app.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), (req, res) => {
    res.json({ organizationId: req.turnkey!.organizationId, wallets: [] });
  });

  const { handleFlow } = config;
  if (handleFlow) {
    // At most 1 MiB of JSON; a refused body is answered by bodyErrors. POST /auth/logout ends the
    // session in its Authorization header (body `{}`).
    app.post("/auth/:flow", express.json({ limit: "1mb" }), async (req, res) => {
      const { status, body } = await handleFlow(req.params.flow, req.body, { authorization: req.headers.authorization });
      res.status(status).json(body);
    });
    app.use("/auth", bodyErrors);
  }

  return app;
}

// express.json() refuses a body with an error: 413 past the limit, 400 (or 415) if it is not JSON.
// Answered here as JSON, not by Express's error page, which shows a stack trace and logs the
// error with a piece of the body (a verification token can be in it).
const bodyErrors: express.ErrorRequestHandler = (error: { status?: unknown }, _req, res, next) => {
  if (error.status === 413) res.status(413).json({ error: "body_too_large", message: "The body must be at most 1 MiB" });
  else if (typeof error.status === "number" && error.status >= 400 && error.status < 500) res.status(400).json({ error: "invalid_json", message: "The body must be JSON" });
  else next(error);
};

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
    app.post("/auth/:flow", express.json(), async (req, res) => {
      const { status, body } = await handleFlow(req.params.flow, req.body);
      res.status(status).json(body);
    });
  }

  return app;
}

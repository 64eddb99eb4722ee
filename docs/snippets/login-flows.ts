// docs/login-flows.md: the backend half of Turnkey's login flows in an Express app.
import { Turnkey } from "@turnkey/sdk-server";
import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { createFlowHandler, subOrganizationsOf } from "../../src/flows/index.js";

const app = express();

const parentOrganizationId = process.env.TURNKEY_ORGANIZATION_ID!;
const client = new Turnkey({
  apiBaseUrl: "https://api.turnkey.com",
  apiPublicKey: process.env.TURNKEY_API_PUBLIC_KEY!,
  apiPrivateKey: process.env.TURNKEY_API_PRIVATE_KEY!,
  defaultOrganizationId: parentOrganizationId,
}).apiClient();

const auth = turnkeyAuth({ trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId }) });
const handleFlow = createFlowHandler({ client, parentOrganizationId, appName: "Acme" });
app.post("/auth/:flow", express.json({ limit: "1mb" }), async (req, res) => {
  const { status, body } = await handleFlow(req.params.flow, req.body);
  res.status(status).json(body);
});
app.get("/me", auth, (req, res) => res.json({ userId: req.turnkey!.userId }));

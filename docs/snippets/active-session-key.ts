// docs/revocation.md: refusing sessions whose key was deleted at Turnkey (sessionKeyIsActive).
import { Turnkey } from "@turnkey/sdk-server";
import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { sessionKeyIsActive, subOrganizationsOf } from "../../src/flows/index.js";

const parentOrganizationId = process.env.TURNKEY_ORGANIZATION_ID!;
const client = new Turnkey({
  apiBaseUrl: "https://api.turnkey.com",
  apiPublicKey: process.env.TURNKEY_API_PUBLIC_KEY!,
  apiPrivateKey: process.env.TURNKEY_API_PRIVATE_KEY!,
  defaultOrganizationId: parentOrganizationId,
}).apiClient();

const auth = turnkeyAuth({
  trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId }),
  // At most one getApiKeys call per user every 30 s; a key deleted at Turnkey stops working here within that.
  policies: [sessionKeyIsActive({ client, parentOrganizationId, ttlMs: 30_000, onUnavailable: (error) => console.warn("Turnkey lookup failed", error) })],
});

export const app = express();
app.get("/me", auth, (req, res) => {
  res.json({ userId: req.turnkey!.userId });
});

// The README's first example: an Express app whose users log in by OTP or passkey, so live in
// sub-organizations of your parent organization. Compiled by `npm run typecheck`.
import { Turnkey } from "@turnkey/sdk-server";
import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { subOrganizationsOf } from "../../src/flows/index.js";

const parentOrganizationId = process.env.TURNKEY_ORGANIZATION_ID!;
const client = new Turnkey({
  apiBaseUrl: "https://api.turnkey.com",
  apiPublicKey: process.env.TURNKEY_API_PUBLIC_KEY!,
  apiPrivateKey: process.env.TURNKEY_API_PRIVATE_KEY!,
  defaultOrganizationId: parentOrganizationId,
}).apiClient();

const app = express();
const auth = turnkeyAuth({ trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId }) });
app.get("/me", auth, (req, res) => res.json({ userId: req.turnkey!.userId, organizationId: req.turnkey!.organizationId }));
app.listen(3000);

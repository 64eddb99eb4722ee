// docs/policies.md: a policy of your own beside the built-in ones. Compiled by `npm run typecheck`.
import { definePolicy, organizationFromParam, requireReadWrite } from "../../src/index.js";
import { turnkeyAuth } from "../../src/adapters/express.js";

const ownsWallet = definePolicy("ownsWallet", async ({ session, request }) =>
  (await db.wallets.ownerOf(request.params.walletId)) === session.userId);

const auth = turnkeyAuth({ trustedOrganizations: ["org-id"], policies: [requireReadWrite()] }); // every route
app.delete("/orgs/:orgId/wallets/:walletId", auth.with(organizationFromParam("orgId"), ownsWallet), handler); // this route

// What the page leaves out: your app, your database, your handler.
import type express from "express";
declare const app: express.Express;
declare const handler: express.RequestHandler;
declare const db: { wallets: { ownerOf(walletId: string | undefined): Promise<string> } };

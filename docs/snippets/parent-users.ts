// The README's second example: users that are users of the parent organization itself.
import express from "express";
import { turnkeyAuth } from "../../src/adapters/express.js";

const app = express();
const auth = turnkeyAuth({ trustedOrganizations: [process.env.TURNKEY_ORGANIZATION_ID!] });
app.get("/me", auth, (req, res) => res.json({ userId: req.turnkey!.userId }));

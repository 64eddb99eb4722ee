// An Express app set up for production: hooks for logs, OpenTelemetry metrics, a key rotation,
// per-route options and sessionOf. Shown in docs/production.md; run by test/adapters/production-docs.test.ts.
import { metrics } from "@opentelemetry/api";
import express, { type RequestHandler } from "express";
import { sessionOf, turnkeyAuth } from "../../src/adapters/express.js";
import { organizationFromParam } from "../../src/index.js";

/** The logger the app already has (pino, winston, console…): one structured line per call. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export function createApp(notarizerKeys: { current: string; next: string }, log: Logger, listWallets: RequestHandler) {
  const auth = turnkeyAuth({
    trustedOrganizations: ["org-1"],
    // During a rotation of Turnkey's key: tokens signed with either verify.
    notarizerPublicKey: [notarizerKeys.current, notarizerKeys.next],
    // The global meter: a no-op until the app registers an OpenTelemetry SDK.
    meter: metrics.getMeter("turnkey-session-auth"),
    onAuthenticated: (session, req) => log.info({ userId: session.userId, path: req.path }, "turnkey: signed in"),
    onRefused: (_error, req, details) => log.warn({ ...details, path: req.path }, "turnkey: refused"),
  });

  const app = express();
  app.get("/me", auth, (req, res) => res.json({ userId: sessionOf(req).userId }));
  app.get("/feed", auth.with({ optional: true }), (req, res) => res.json({ personalized: req.turnkey !== undefined }));
  app.get("/orgs/:orgId/wallets", auth.with({ policies: [organizationFromParam("orgId")] }), listWallets);
  return app;
}

// The web demo's backend: the Express example (examples/express/app.ts: /me, /orgs/:orgId/wallets,
// POST /auth/:flow) with DPoP required on its session routes, plus the page, its script, and its
// configuration, all on one origin.
import { readFileSync } from "node:fs";
import express from "express";
import { Turnkey } from "@turnkey/sdk-server";
import { createFlowHandler, subOrganizationsOf } from "../../src/flows/index.js";
import { createMemoryStore } from "../../src/index.js";
import type { TurnkeyEmulator } from "../../src/testing/index.js";
import { createApp } from "../express/app.js";

const INDEX_HTML = readFileSync(new URL("./index.html", import.meta.url), "utf8");
const STYLE_CSS = readFileSync(new URL("./style.css", import.meta.url), "utf8");
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** What {@link createWebDemoApp} serves. */
export interface WebDemoAppOptions {
  /** The Turnkey API the backend and the page use: here the emulator. */
  emulator: TurnkeyEmulator;
  /** The page's bundled script (see bundle.ts). */
  script: string;
  /** The origin the browser calls, e.g. `http://localhost:3000`: what each DPoP proof's `htu` must name. */
  origin: string;
}

/**
 * The backend of `npm run demo:web`: trusts only sub-organizations of the emulator's parent
 * organization, serves the login flows, requires requests to its session routes to be signed by
 * the session key (DPoP), and serves the page.
 *
 * @example
 * ```ts
 * const app = createWebDemoApp({ emulator, script: await bundleFrontend(), origin: "http://localhost:3000" });
 * ```
 */
export function createWebDemoApp({ emulator, script, origin }: WebDemoAppOptions): express.Express {
  const parentOrganizationId = emulator.parentOrganizationId;
  const client = new Turnkey({
    apiBaseUrl: emulator.apiBaseUrl,
    apiPublicKey: emulator.apiKey.publicKey,
    apiPrivateKey: emulator.apiKey.privateKey,
    defaultOrganizationId: parentOrganizationId,
  }).apiClient();
  const keys = { notarizerPublicKey: emulator.notarizerPublicKey, otpSignerPublicKey: emulator.otpSignerPublicKey };
  const store = createMemoryStore(); // shared by the routes and POST /auth/logout
  const api = createApp({
    auth: {
      trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId }),
      notarizerPublicKey: emulator.notarizerPublicKey,
      store, // also remembers each proof's jti, so a replayed proof is refused
      // The only client of these routes is this page, which holds the session key: no route needs
      // to take a bare token, so a copied one is useless (RFC 9449 §7.2, no downgrade). The login
      // routes (POST /auth/:flow) carry no session, so this middleware is not on them.
      dpop: "required",
      dpopOptions: { origin },
    },
    handleFlow: createFlowHandler({ client, parentOrganizationId, appName: "turnkey-session-auth web demo", ...keys, store }),
  });

  const app = express();
  // The page may run only its own script and call only this origin and Turnkey's API.
  const contentSecurityPolicy = `default-src 'self'; connect-src 'self' ${emulator.apiBaseUrl}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
  app.get("/", (_req, res) => {
    res.set("content-security-policy", contentSecurityPolicy).type("html").send(INDEX_HTML);
  });
  app.get("/style.css", (_req, res) => {
    res.type("css").send(STYLE_CSS);
  });
  app.get("/favicon.ico", (_req, res) => {
    res.status(204).end();
  });
  app.get("/app.js", (_req, res) => {
    res.type("js").send(script);
  });
  // What a real page gets at build time: Turnkey's URL, your parent organization, and (emulator
  // only) the OTP signer key to check bundles with, instead of Turnkey's production key.
  app.get("/config.json", (_req, res) => {
    res.json({ apiBaseUrl: emulator.apiBaseUrl, parentOrganizationId, otpSignerPublicKey: emulator.otpSignerPublicKey });
  });
  // DEMO ONLY: the code the emulator "emailed". A real backend never sees OTP codes; with real
  // Turnkey they arrive by email. Never add such a route to an app that talks to Turnkey.
  app.get("/demo-only/otp-inbox", (req, res) => {
    const contact = typeof req.query.contact === "string" ? req.query.contact : "";
    const code = EMAIL.test(contact) ? emulator.lastOtp(contact) : undefined;
    if (code === undefined) res.status(404).json({ error: "not_found", message: "No code was sent to this address" });
    else res.json({ code });
  });
  app.use(api);
  return app;
}

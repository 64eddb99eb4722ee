// DPoP with Turnkey's own frontend SDK (issue 18): @turnkey/core signs up against the emulator, then
// signs each request's proof with its session key through signWithApiKey (the private half stays a
// non-extractable CryptoKey in IndexedDB), sent by this library's dpopFetch to an Express backend
// requiring DPoP. A copied token without the key is refused. (Node with fake-indexeddb, not Chromium.)
import "../helpers/sdk/browser-globals.js";
import { OtpType, TurnkeyClient } from "@turnkey/core";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { sessionFetch } from "../../examples/dpop/frontend.js";
import { dpopFetch } from "../../src/client/index.js";
import { listen, type LiveServer } from "../helpers/adapters/http.js";
import { createSessionKey } from "../helpers/dpop/helpers.js";
import { resetBrowserState } from "../helpers/sdk/browser-globals.js";
import { coreConfig, startBackend, verifyOtpOffline, type Backend } from "../helpers/sdk/harness.js";

let backend: Backend;
let api: LiveServer;
beforeAll(async () => {
  backend = await startBackend();
  const app = express();
  let auth: ReturnType<typeof turnkeyAuth> | undefined;
  // The public origin is known once the server listens.
  app.use((req, res, next) => auth!(req, res, next));
  app.get("/me", (req, res) => res.json({ userId: req.turnkey!.userId }));
  api = await listen(app);
  auth = turnkeyAuth({
    notarizerPublicKey: backend.emulator.notarizerPublicKey,
    trustedOrganizations: (organizationId) => backend.emulator.organization(organizationId)?.parentOrganizationId === backend.emulator.parentOrganizationId,
    dpop: "required",
    dpopOptions: { origin: `http://127.0.0.1:${api.port}` },
  });
});
afterAll(async () => {
  await api.close();
  await backend.close();
});

describe("@turnkey/core's session key signs DPoP proofs", () => {
  it("signWithApiKey signs proofs the backend accepts; the copied token alone is refused", async () => {
    resetBrowserState();
    const client = new TurnkeyClient(coreConfig(backend.emulator));
    await client.init();
    const email = "dpop@example.com";
    const init = await client.initOtp({ otpType: OtpType.Email, contact: email });
    const { verificationToken } = await verifyOtpOffline(client, backend.emulator, init, email);
    const { sessionToken } = await client.signUpWithOtp({ verificationToken, contact: email, otpType: OtpType.Email });
    const session = await client.getSession();

    const signed = await sessionFetch(client); // examples/dpop/frontend.ts, as docs/dpop.md shows it
    const first = await signed(`http://127.0.0.1:${api.port}/me`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ userId: session!.userId });
    expect((await signed(`http://127.0.0.1:${api.port}/me?again=1`)).status).toBe(200);

    const copied = await fetch(`http://127.0.0.1:${api.port}/me`, { headers: { authorization: `Bearer ${sessionToken}` } });
    expect([copied.status, (await copied.json()).error]).toEqual([401, "dpop_required"]);
    // The thief's own key, with the stolen token: the proof names another key.
    const thief = await createSessionKey();
    const forged = dpopFetch({ token: sessionToken, publicKey: thief.publicKeyHex, privateKey: thief.privateKey });
    const refused = await forged(`http://127.0.0.1:${api.port}/me`);
    expect([refused.status, (await refused.json()).error]).toEqual([401, "dpop_key_mismatch"]);
  });
});

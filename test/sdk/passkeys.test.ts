// Passkeys with Turnkey's own frontend SDKs in Node, a software authenticator standing in for the
// browser's: @turnkey/core (Auth Proxy sign-up, the guide's bring-your-own-backend sign-up, login
// naming the parent), @turnkey/http with @turnkey/webauthn-stamper, and @turnkey/sdk-browser's
// passkey and IndexedDB clients. The emulator checks every assertion against the key it kept from
// the attestation; every session verifies in this library's backend.
import "../helpers/sdk/browser-globals.js";
import { StamperType, TurnkeyClient } from "@turnkey/core";
import { TurnkeyClient as HttpClient } from "@turnkey/http";
import { SessionType, Turnkey as TurnkeyBrowser } from "@turnkey/sdk-browser";
import { Turnkey as TurnkeyServer } from "@turnkey/sdk-server";
import { WebauthnStamper } from "@turnkey/webauthn-stamper";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestClientKey } from "../../src/testing/index.js";
import { authenticator, resetBrowserState } from "../helpers/sdk/browser-globals.js";
import { coreConfig, pathsSince, startBackend, type Backend } from "../helpers/sdk/harness.js";

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend.close());
beforeEach(() => {
  resetBrowserState();
  authenticator.passkeys.length = 0; // each test starts with an authenticator holding no passkey
});

async function newClient(): Promise<TurnkeyClient> {
  const client = new TurnkeyClient(coreConfig(backend.emulator));
  await client.init();
  return client;
}

/** The last passkey the software authenticator made. */
const lastPasskey = () => authenticator.passkeys.at(-1)?.passkey;

describe("@turnkey/core passkeys", () => {
  it("signUpWithPasskey (signup_v2 + a temporary key's stamp_login), then loginWithPasskey() naming the parent", async () => {
    const client = await newClient();
    const up = await client.signUpWithPasskey({ passkeyDisplayName: "laptop" });
    const signedUp = await backend.verify(up.sessionToken);
    expect(up.credentialId).toBe(lastPasskey()?.credentialId);
    expect(backend.emulator.organization(signedUp.organizationId)?.users[0]?.authenticators).toEqual([
      expect.objectContaining({ credentialId: up.credentialId, publicKey: lastPasskey()?.publicKey }),
    ]);

    await client.logout();
    const before = backend.emulator.requests.length;
    const assertions = authenticator.assertions;
    const login = await client.loginWithPasskey();
    expect(authenticator.assertions).toBe(assertions + 1);
    expect(pathsSince(backend.emulator, before)).toEqual(["/public/v1/submit/stamp_login"]);
    expect(backend.emulator.requests.at(-1)?.organizationId).toBe(backend.emulator.parentOrganizationId);
    expect(login.credentialId).toBe(up.credentialId);
    const session = await backend.verify(login.sessionToken);
    expect(session).toMatchObject({ organizationId: signedUp.organizationId, userId: signedUp.userId });
    expect((await client.fetchUser()).userId).toBe(signedUp.userId);
  });

  it("signs up through your own backend (createPasskey, createSubOrganization, stampLogin with the temporary key)", async () => {
    const client = await newClient();
    const temporaryPublicKey = await client.createApiKeyPair();
    const { encodedChallenge, attestation } = await client.createPasskey({ name: "byo-passkey" });
    // The backend's half, as this library's `signup` flow does it with the parent's API key.
    const server = new TurnkeyServer({
      apiBaseUrl: backend.emulator.apiBaseUrl,
      apiPublicKey: backend.emulator.apiKey.publicKey,
      apiPrivateKey: backend.emulator.apiKey.privateKey,
      defaultOrganizationId: backend.emulator.parentOrganizationId,
    }).apiClient();
    const { subOrganizationId, rootUserIds } = await server.createSubOrganization({
      subOrganizationName: "byo",
      rootQuorumThreshold: 1,
      rootUsers: [
        {
          userName: "byo",
          apiKeys: [{ apiKeyName: "temporary", publicKey: temporaryPublicKey, curveType: "API_KEY_CURVE_P256", expirationSeconds: "300" }],
          authenticators: [{ authenticatorName: "byo-passkey", challenge: encodedChallenge, attestation }],
          oauthProviders: [],
        },
      ],
    });
    const sessionPublicKey = await client.createApiKeyPair();
    await client.overrideApiKeyStamper({ temporaryPublicKey });
    try {
      const { session } = await client.httpClient.stampLogin({ publicKey: sessionPublicKey, organizationId: subOrganizationId, expirationSeconds: "900" }, StamperType.ApiKey);
      await client.storeSession({ sessionToken: session });
    } finally {
      await client.overrideApiKeyStamper({ temporaryPublicKey: "" });
    }
    const stored = await client.getSession();
    expect(await backend.verify(stored?.token as string)).toMatchObject({ organizationId: subOrganizationId, userId: rootUserIds?.[0], publicKey: sessionPublicKey });

    // The passkey then logs in by itself; addPasskey registers a second one (create_authenticators).
    await client.logout();
    const login = await client.loginWithPasskey();
    expect((await backend.verify(login.sessionToken)).organizationId).toBe(subOrganizationId);
    const ids = await client.addPasskey({ name: "phone" });
    expect(ids).toHaveLength(1);
    expect(backend.emulator.organization(subOrganizationId)?.users[0]?.authenticators.map((item) => item.authenticatorName)).toEqual(["byo-passkey", "phone"]);
  });
});

describe("@turnkey/http with @turnkey/webauthn-stamper", () => {
  it("stamps stamp_login and whoami with the passkey; the parent's id resolves to the passkey's sub-organization", async () => {
    const client = await newClient();
    const up = await client.signUpWithPasskey({ passkeyDisplayName: "http" });
    const { organizationId, userId } = await backend.verify(up.sessionToken);
    const http = new HttpClient({ baseUrl: backend.emulator.apiBaseUrl }, new WebauthnStamper({ rpId: "localhost" }));
    const sessionKey = createTestClientKey().publicKey;
    const { activity } = await http.stampLogin({ type: "ACTIVITY_TYPE_STAMP_LOGIN", timestampMs: String(Date.now()), organizationId: backend.emulator.parentOrganizationId, parameters: { publicKey: sessionKey } });
    expect(activity.organizationId).toBe(organizationId);
    expect(await backend.verify(activity.result.stampLoginResult?.session as string)).toMatchObject({ organizationId, userId, publicKey: sessionKey });
    expect(await http.getWhoami({ organizationId: backend.emulator.parentOrganizationId })).toMatchObject({ organizationId, userId });
  });
});

describe("@turnkey/sdk-browser", () => {
  it("passkeyClient().loginWithPasskey into an indexedDbClient session, then whoami and refreshSession; login() makes a read-only session", async () => {
    const client = await newClient();
    const up = await client.signUpWithPasskey({ passkeyDisplayName: "sdk-browser" });
    const { organizationId, userId } = await backend.verify(up.sessionToken);
    resetBrowserState(); // a fresh page: only the passkey remains

    const turnkey = new TurnkeyBrowser({ apiBaseUrl: backend.emulator.apiBaseUrl, defaultOrganizationId: backend.emulator.parentOrganizationId, rpId: "localhost" });
    const indexedDb = await turnkey.indexedDbClient();
    await indexedDb.init();
    const publicKey = await indexedDb.getPublicKey();
    const passkeyClient = turnkey.passkeyClient();
    await passkeyClient.loginWithPasskey({ sessionType: SessionType.READ_WRITE, publicKey: publicKey as string, expirationSeconds: "900" });
    expect(await turnkey.getSession()).toMatchObject({ organizationId, userId, sessionType: SessionType.READ_WRITE });
    const jwt = (await turnkey.getRawSession()) as string;
    expect(await backend.verify(jwt)).toMatchObject({ organizationId, userId, publicKey });
    expect(await indexedDb.getWhoami({ organizationId })).toMatchObject({ organizationId, userId });

    await indexedDb.refreshSession({ sessionType: SessionType.READ_WRITE });
    const refreshed = (await turnkey.getRawSession()) as string;
    expect(refreshed).not.toBe(jwt);
    expect(await backend.verify(refreshed)).toMatchObject({ organizationId, userId });

    const readOnly = await passkeyClient.login();
    expect(readOnly).toMatchObject({ organizationId, userId, session: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

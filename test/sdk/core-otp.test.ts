// Turnkey's own frontend SDK, @turnkey/core, in Node against the emulator: OTP sign-up and login,
// the calls made after login, refresh, logout, and SESSION_EXPIRED; every session it obtains
// verifies in this library's backend. (The browser globals must be set before @turnkey/core loads.)
import "../helpers/sdk/browser-globals.js";
import { OtpType, TurnkeyClient } from "@turnkey/core";
import { decryptCredentialBundle, encryptOtpCodeToBundle } from "@turnkey/crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateP256KeyPairHex } from "../../src/testing/emulator/keys.js";
import { resetBrowserState } from "../helpers/sdk/browser-globals.js";
import { coreConfig, pathsSince, startBackend, verifyOtpOffline, type Backend } from "../helpers/sdk/harness.js";

let backend: Backend;
let clockOffsetMs = 0;
beforeAll(async () => {
  backend = await startBackend({ now: () => Date.now() + clockOffsetMs });
});
afterAll(() => backend.close());
beforeEach(() => {
  resetBrowserState();
  clockOffsetMs = 0;
});

async function newClient(): Promise<TurnkeyClient> {
  const client = new TurnkeyClient(coreConfig(backend.emulator));
  await client.init();
  return client;
}

/** initOtp through the Auth Proxy, then the offline verification (core's verifyOtp cannot run: see harness). */
async function otpToken(client: TurnkeyClient, email: string) {
  const init = await client.initOtp({ otpType: OtpType.Email, contact: email });
  return verifyOtpOffline(client, backend.emulator, init, email);
}

/** An account made by @turnkey/core's signUpWithOtp (with a wallet), and the client logged in to it. */
async function signedUp(email: string) {
  const client = await newClient();
  const { verificationToken } = await otpToken(client, email);
  const { sessionToken } = await client.signUpWithOtp({
    verificationToken,
    contact: email,
    otpType: OtpType.Email,
    createSubOrgParams: {
      customWallet: { walletName: "Default wallet", walletAccounts: [{ curve: "CURVE_SECP256K1", pathFormat: "PATH_FORMAT_BIP32", path: "m/44'/60'/0'/0/0", addressFormat: "ADDRESS_FORMAT_ETHEREUM" }] },
    },
  });
  return { client, sessionToken, session: await backend.verify(sessionToken) };
}

describe("@turnkey/core OTP", () => {
  it("initOtp reaches the Auth Proxy; verifyOtp fails offline on Turnkey's production signer key, as documented", async () => {
    const client = await newClient();
    const init = await client.initOtp({ otpType: OtpType.Email, contact: "prod-key@example.com" });
    expect(init).toEqual({ otpId: expect.any(String), otpEncryptionTargetBundle: expect.any(String) });
    const code = backend.emulator.lastOtp("prod-key@example.com") as string;
    const error = await client.verifyOtp({ ...init, otpCode: code }).then(
      () => undefined,
      (failure: unknown) => failure as { code?: string; cause?: { message?: string } },
    );
    expect(error?.code).toBe("VERIFY_OTP_ERROR");
    expect(error?.cause?.message).toMatch(/expected signer key .* does not match signer key from bundle/);
  });

  it("signUpWithOtp (signup_v2 + attested stamp_login) makes a verified account and a session the backend accepts", async () => {
    const email = "core-signup@example.com";
    const { client, sessionToken, session } = await signedUp(email);
    const stored = await client.getSession();
    expect(stored?.token).toBe(sessionToken);
    expect(session.organizationId).toBe(stored?.organizationId);
    expect(session.userId).toBe(stored?.userId);
    expect(backend.emulator.organization(session.organizationId)).toMatchObject({ parentOrganizationId: backend.emulator.parentOrganizationId, users: [{ userEmail: email, emailVerified: true }] });
  });

  it("loginWithOtp logs in, naming the sub-organization (proxyGetAccount) or not (the parent: the verified account)", async () => {
    const email = "core-login@example.com";
    const { session: first } = await signedUp(email);
    resetBrowserState();

    const client = await newClient();
    const named = await otpToken(client, email);
    const { organizationId } = await client.httpClient.proxyGetAccount({ filterType: "EMAIL", filterValue: email, verificationToken: named.verificationToken });
    expect(organizationId).toBe(first.organizationId);
    const { sessionToken } = await client.loginWithOtp({ verificationToken: named.verificationToken, organizationId: organizationId as string });
    expect(await backend.verify(sessionToken)).toMatchObject({ organizationId: first.organizationId, userId: first.userId, publicKey: named.publicKey });

    // Without a session, loginWithOtp names the configured (parent) organization; with one, the session's.
    await client.logout();
    const unnamed = await otpToken(client, email);
    const before = backend.emulator.requests.length;
    const second = await client.loginWithOtp({ verificationToken: unnamed.verificationToken });
    expect(pathsSince(backend.emulator, before)).toEqual(["/public/v1/submit/stamp_login"]);
    expect(backend.emulator.requests.at(-1)?.organizationId).toBe(backend.emulator.parentOrganizationId);
    expect(await backend.verify(second.sessionToken)).toMatchObject({ organizationId: first.organizationId, userId: first.userId });
  });

  it("a wrong code is refused in Turnkey's words, 'Invalid OTP code' (what core's verifyOtp maps to INVALID_OTP_CODE)", async () => {
    const client = await newClient();
    const init = await client.initOtp({ otpType: OtpType.Email, contact: "wrong@example.com" });
    const wrong = backend.emulator.lastOtp("wrong@example.com") === "000000" ? "111111" : "000000";
    const publicKey = await client.createApiKeyPair();
    const encryptedOtpBundle = await encryptOtpCodeToBundle(wrong, init.otpEncryptionTargetBundle, publicKey, backend.emulator.otpSignerPublicKey);
    await expect(client.httpClient.proxyVerifyOtpV2({ otpId: init.otpId, encryptedOtpBundle })).rejects.toThrow(/Invalid OTP code/);
  });
});

describe("@turnkey/core after login", () => {
  it("fetchUser, fetchWallets (list_wallets + paged list_wallet_accounts), getWhoami, getApiKeys", async () => {
    const email = "core-after@example.com";
    const { client, session } = await signedUp(email);
    const user = await client.fetchUser();
    expect(user).toMatchObject({ userId: session.userId, userEmail: email });
    const wallets = await client.fetchWallets();
    expect(wallets).toHaveLength(1);
    expect(wallets[0]).toMatchObject({ walletName: "Default wallet", accounts: [{ address: expect.stringMatching(/^0x[0-9a-f]{40}$/), path: "m/44'/60'/0'/0/0" }] });
    expect(await client.httpClient.getWhoami({})).toMatchObject({ organizationId: session.organizationId, userId: session.userId });
    const { apiKeys } = await client.httpClient.getApiKeys({});
    expect(apiKeys.map((key) => key.credential.publicKey)).toContain(session.publicKey);
  });

  it("createReadWriteSession: a session key encrypted to the caller's target key", async () => {
    const { client, session } = await signedUp("core-rw@example.com");
    const target = generateP256KeyPairHex();
    const result = await client.httpClient.createReadWriteSession({ targetPublicKey: target.publicKey });
    expect(result).toMatchObject({ organizationId: session.organizationId, userId: session.userId });
    expect(decryptCredentialBundle(result.credentialBundle, target.privateKey)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refreshSession: a new session key and a session the backend accepts", async () => {
    const { client, session } = await signedUp("core-refresh@example.com");
    await client.refreshSession();
    const refreshed = await client.getSession();
    expect(refreshed?.publicKey).not.toBe(session.publicKey);
    expect(await backend.verify(refreshed?.token as string)).toMatchObject({ organizationId: session.organizationId, userId: session.userId, publicKey: refreshed?.publicKey });
    expect((await client.fetchUser()).userId).toBe(session.userId);
  });

  it("logout is local only: the session is gone from storage and Turnkey hears nothing", async () => {
    const { client } = await signedUp("core-logout@example.com");
    const before = backend.emulator.requests.length;
    await client.logout();
    expect(await client.getSession()).toBeUndefined();
    expect(pathsSince(backend.emulator, before)).toEqual([]);
  });

  it("an expired session key, and an unknown one, are SESSION_EXPIRED", async () => {
    const expiring = await signedUp("core-expired@example.com");
    clockOffsetMs = 901_000;
    await expect(expiring.client.fetchUser()).rejects.toMatchObject({ code: "SESSION_EXPIRED", message: "Session API key has expired" });
    await expect(expiring.client.refreshSession()).rejects.toMatchObject({ code: "SESSION_EXPIRED" });
    clockOffsetMs = 0;

    const removed = await signedUp("core-removed@example.com");
    expect(backend.emulator.deleteApiKey(removed.session.organizationId, removed.session.publicKey)).toBe(true);
    await expect(removed.client.fetchUser()).rejects.toMatchObject({ code: "SESSION_EXPIRED", message: "Session public key could not be found in the sub-organization or parent organization" });
  });
});

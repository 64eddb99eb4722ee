// The calls an app makes right after login: wallets and their accounts (paged as @turnkey/core's
// fetchWallets pages), API keys, read-only and read-write sessions, and more passkeys.
import { createECDH } from "node:crypto";
import { decryptCredentialBundle } from "@turnkey/crypto";
import { TurnkeyClient } from "@turnkey/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftwarePasskey, createTestClientKey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { generateP256KeyPairHex, publicKeyFromHex } from "../../src/testing/emulator/keys.js";
import { rejectionOf, sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let parent: ApiClient;
let clock = Date.now();
beforeAll(async () => {
  emulator = await startTurnkeyEmulator({ now: () => clock });
  parent = sdkClient(emulator);
});
afterAll(() => emulator.close());

const ETHEREUM = { curve: "CURVE_SECP256K1", pathFormat: "PATH_FORMAT_BIP32", addressFormat: "ADDRESS_FORMAT_ETHEREUM" } as const;

/** A sub-organization with a wallet of `accounts` Ethereum accounts and a user key; the user's client. */
async function account(accounts: number) {
  const userKey = generateP256KeyPairHex();
  const created = await parent.createSubOrganization({
    subOrganizationName: "wallet owner",
    rootQuorumThreshold: 1,
    rootUsers: [{ userName: "owner", apiKeys: [{ apiKeyName: "user key", publicKey: userKey.publicKey, curveType: "API_KEY_CURVE_P256" }], authenticators: [], oauthProviders: [] }],
    wallet: { walletName: "Default wallet", accounts: Array.from({ length: accounts }, (_, index) => ({ ...ETHEREUM, path: `m/44'/60'/0'/0/${index}` })) },
  });
  return { ...created, userId: (created.rootUserIds ?? [])[0] as string, user: sdkClient(emulator, userKey, created.subOrganizationId), userKey };
}

describe("wallets", () => {
  it("keeps the wallet asked for at sign-up, with one account per parameter and placeholder addresses", async () => {
    const { subOrganizationId, wallet, user } = await account(2);
    expect(wallet?.addresses).toHaveLength(2);
    for (const address of wallet?.addresses ?? []) expect(address).toMatch(/^0x[0-9a-f]{40}$/);
    const { wallets } = await user.getWallets({ organizationId: subOrganizationId });
    expect(wallets).toEqual([{ walletId: wallet?.walletId, walletName: "Default wallet", createdAt: expect.any(Object), updatedAt: expect.any(Object), exported: false, imported: false }]);
    const { accounts } = await user.getWalletAccounts({ organizationId: subOrganizationId, walletId: wallet?.walletId as string });
    expect(accounts.map((item) => [item.address, item.path, item.walletId, item.organizationId])).toEqual([
      [wallet?.addresses[0], "m/44'/60'/0'/0/0", wallet?.walletId, subOrganizationId],
      [wallet?.addresses[1], "m/44'/60'/0'/0/1", wallet?.walletId, subOrganizationId],
    ]);
    expect(accounts[0]?.walletDetails).toBeUndefined();
  });

  it("pages accounts by cursor, with wallet details when asked (as @turnkey/core's fetchWallets)", async () => {
    const { subOrganizationId, wallet, user } = await account(5);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const { accounts } = await user.getWalletAccounts({ organizationId: subOrganizationId, includeWalletDetails: true, paginationOptions: { limit: "2", ...(after === undefined ? {} : { after }) } });
      for (const item of accounts) expect(item.walletDetails?.walletId).toBe(wallet?.walletId);
      seen.push(...accounts.map((item) => item.address));
      if (accounts.length < 2) break;
      after = accounts[accounts.length - 1]?.walletAccountId;
    }
    expect(seen).toEqual(wallet?.addresses);
    const all = (await user.getWalletAccounts({ organizationId: subOrganizationId, paginationOptions: { limit: "100" } })).accounts;
    const before = await user.getWalletAccounts({ organizationId: subOrganizationId, paginationOptions: { limit: "2", before: all[3]?.walletAccountId as string } });
    expect(before.accounts.map((item) => item.address)).toEqual([all[1]?.address, all[2]?.address]);
    expect((await user.getWalletAccounts({ organizationId: subOrganizationId })).accounts).toHaveLength(5); // default limit 10
  });

  it("refuses an unknown wallet, and page limits outside 1-100", async () => {
    const { subOrganizationId, user } = await account(1);
    expect((await rejectionOf(user.getWalletAccounts({ organizationId: subOrganizationId, walletId: "no-such-wallet" }))).code).toBe(5);
    for (const limit of ["0", "101", "abc", "99999999999", "-1"]) {
      expect(await rejectionOf(user.getWalletAccounts({ organizationId: subOrganizationId, paginationOptions: { limit } }))).toMatchObject({ code: 3 });
    }
  });

  it("answers no wallets for an organization without any", async () => {
    expect((await parent.getWallets({ organizationId: emulator.parentOrganizationId })).wallets).toEqual([]);
  });
});

describe("get_api_keys", () => {
  it("lists a user's keys, and the caller's own without userId", async () => {
    const { subOrganizationId, userId, user, userKey } = await account(0);
    const named = await parent.getApiKeys({ organizationId: subOrganizationId, userId });
    expect(named.apiKeys.map((key) => [key.apiKeyName, key.credential.publicKey, key.credential.type])).toEqual([["user key", userKey.publicKey, "CREDENTIAL_TYPE_API_KEY_P256"]]);
    expect((await user.getApiKeys({ organizationId: subOrganizationId })).apiKeys).toEqual(named.apiKeys);
  });
});

describe("sessions", () => {
  it("create_read_only_session answers the caller's organization and user, with an expiry in seconds", async () => {
    const { subOrganizationId, userId, user } = await account(0);
    const result = await user.createReadOnlySession({ organizationId: subOrganizationId });
    expect(result).toMatchObject({ organizationId: subOrganizationId, organizationName: "wallet owner", userId, username: "owner", session: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Number(result.sessionExpiry)).toBe(Math.floor(clock / 1000) + 3600);
  });

  it("create_read_write_session registers a session key and encrypts it to the target key", async () => {
    const { subOrganizationId, userId, user } = await account(0);
    const embedded = generateP256KeyPairHex();
    const target = publicKeyFromHex(embedded.publicKey);
    const uncompressed = target?.export({ format: "jwk" });
    const targetPublicKey = `04${Buffer.from(uncompressed?.x as string, "base64url").toString("hex")}${Buffer.from(uncompressed?.y as string, "base64url").toString("hex")}`;
    const result = await user.createReadWriteSession({ organizationId: subOrganizationId, targetPublicKey, expirationSeconds: "600" });
    expect(result).toMatchObject({ organizationId: subOrganizationId, userId, username: "owner", apiKeyId: expect.any(String) });
    const sessionPrivateKey = decryptCredentialBundle(result.credentialBundle, embedded.privateKey);
    const sessionPublicKey = compressedPublicOf(sessionPrivateKey);
    const asSession = sdkClient(emulator, { privateKey: sessionPrivateKey, publicKey: sessionPublicKey }, subOrganizationId);
    expect((await asSession.getWhoami()).userId).toBe(userId);
    const keys = (await parent.getApiKeys({ organizationId: subOrganizationId, userId })).apiKeys;
    expect(keys.find((key) => key.apiKeyId === result.apiKeyId)).toMatchObject({ credential: { publicKey: sessionPublicKey, type: "CREDENTIAL_TYPE_READ_WRITE_SESSION_KEY_P256" }, expirationSeconds: "600" });
    // invalidateExisting removes the earlier read-write session keys; the session key expires.
    await user.createReadWriteSession({ organizationId: subOrganizationId, targetPublicKey: embedded.publicKey, invalidateExisting: true });
    expect((await rejectionOf(asSession.getWhoami())).message).toMatch(/could not find public key/);
    const third = await user.createReadWriteSession({ organizationId: subOrganizationId, targetPublicKey: embedded.publicKey, expirationSeconds: "60" });
    const thirdKey = decryptCredentialBundle(third.credentialBundle, embedded.privateKey);
    clock += 61_000;
    expect((await rejectionOf(sdkClient(emulator, { privateKey: thirdKey, publicKey: compressedPublicOf(thirdKey) }, subOrganizationId).getWhoami())).message).toMatch(
      /expired api key/,
    );
  });

  it("refuses a target key that is not a P-256 point", async () => {
    const { subOrganizationId, user } = await account(0);
    expect(await rejectionOf(user.createReadWriteSession({ organizationId: subOrganizationId, targetPublicKey: "04abcd" }))).toMatchObject({ code: 3 });
  });
});

describe("create_authenticators", () => {
  it("adds a passkey to a user, which then logs in", async () => {
    const { subOrganizationId, userId, user } = await account(0);
    const passkey = createSoftwarePasskey();
    const { authenticatorIds } = await user.createAuthenticators({
      organizationId: subOrganizationId,
      userId,
      authenticators: [{ authenticatorName: "phone", ...passkey.registration, attestation: { ...passkey.registration.attestation, transports: ["AUTHENTICATOR_TRANSPORT_HYBRID"] } }],
    });
    expect(authenticatorIds).toHaveLength(1);
    const login = await new TurnkeyClient({ baseUrl: emulator.apiBaseUrl }, passkey).stampLogin({
      type: "ACTIVITY_TYPE_STAMP_LOGIN",
      timestampMs: String(Date.now()),
      organizationId: emulator.parentOrganizationId,
      parameters: { publicKey: createTestClientKey().publicKey },
    });
    expect(login.activity.organizationId).toBe(subOrganizationId);
  });

  it("is refused to the parent organization's key, and for an unreadable attestation", async () => {
    const { subOrganizationId, userId, user } = await account(0);
    const passkey = createSoftwarePasskey();
    const params = { organizationId: subOrganizationId, userId, authenticators: [{ authenticatorName: "x", ...passkey.registration, attestation: { ...passkey.registration.attestation, transports: [] } }] };
    expect((await rejectionOf(parent.createAuthenticators(params))).code).toBe(7);
    const broken = { ...params, authenticators: [{ ...params.authenticators[0]!, attestation: { ...params.authenticators[0]!.attestation, attestationObject: "AAAA" } }] };
    expect(await rejectionOf(user.createAuthenticators(broken))).toMatchObject({ code: 3, message: expect.stringContaining("invalid authenticator attestation") });
  });
});

/** The compressed public key of a 32-byte private key in hex. */
function compressedPublicOf(privateKeyHex: string): string {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(privateKeyHex, "hex"));
  return ecdh.getPublicKey("hex", "compressed");
}

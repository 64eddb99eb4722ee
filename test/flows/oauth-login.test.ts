import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlowHandler, isTurnkeyFlowError, oauthLogin, type FlowHandler, type OauthLoginInput } from "../../src/flows/index.js";
import { verifySessionJwt } from "../../src/index.js";
import { createOidcIssuer, createTestClientKey, oauthNonceOf, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";

const AUDIENCE = "my-app";
let emulator: TurnkeyEmulator;
let client: ApiClient;
let allow: OauthLoginInput["allow"];

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
  allow = { issuers: [emulator.oidcIssuer.issuer], audiences: [AUDIENCE] };
});
afterAll(() => emulator.close());

/** One OAuth login of `sub` with a fresh session key, the token minted by `issuer` (default: the emulator's). */
function login(sub: string, claims: { nonce?: string; aud?: string; exp?: number } = {}, issuer = emulator.oidcIssuer, overrides: Partial<OauthLoginInput> = {}) {
  const key = createTestClientKey();
  const oidcToken = issuer.sign({ sub, aud: AUDIENCE, nonce: oauthNonceOf(key.publicKey), ...claims });
  return {
    key,
    result: oauthLogin({ client, parentOrganizationId: emulator.parentOrganizationId, oidcToken, publicKey: key.publicKey, allow, notarizerPublicKey: emulator.notarizerPublicKey, ...overrides }),
  };
}

async function refusal(pending: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  const error = await pending.then(() => undefined, (rejected: unknown) => rejected);
  if (!isTurnkeyFlowError(error)) throw new Error(`expected a TurnkeyFlowError, got ${String(error)}`);
  return { code: error.code, status: error.status, message: error.message };
}

describe("oauthLogin against the emulator", () => {
  it("signs a new OIDC identity up, returning a session the core verifies, for the client's key", async () => {
    const { key, result } = login("google-user-1");
    const { session, organizationId, userId, created } = await result;
    expect(created).toBe(true);
    const verified = await verifySessionJwt(session, { trustedOrganizations: [organizationId], notarizerPublicKey: emulator.notarizerPublicKey });
    expect(verified).toMatchObject({ organizationId, userId, publicKey: key.publicKey });
    expect(emulator.organization(organizationId)?.parentOrganizationId).toBe(emulator.parentOrganizationId);
  });

  it("a second login of the same identity lands in the same sub-organization, as the same user", async () => {
    const first = await login("google-user-2").result;
    const second = await login("google-user-2").result;
    expect(second.created).toBe(false);
    expect(second.organizationId).toBe(first.organizationId);
    expect(second.userId).toBe(first.userId);
    const other = await login("google-user-3").result;
    expect(other.organizationId).not.toBe(first.organizationId);
  });

  it("two concurrent first logins of one identity create one sub-organization", async () => {
    const count = () => emulator.organization(emulator.parentOrganizationId)!.subOrganizationIds.length;
    const before = count();
    const results = await Promise.all([login("google-user-5").result, login("google-user-5").result]);
    expect(results[0].organizationId).toBe(results[1].organizationId);
    expect(count()).toBe(before + 1);
  });

  it("refuses a token of an issuer the app does not accept, before calling Turnkey", async () => {
    const stranger = createOidcIssuer({ issuer: "https://stranger.example" });
    const calls = emulator.requests.length;
    expect(await refusal(login("u", {}, stranger).result)).toMatchObject({ code: "invalid_request", status: 400, message: expect.stringMatching(/issuer is not one this app accepts/) });
    expect(emulator.requests.length).toBe(calls);
  });

  it("a token of an issuer the emulator does not know is refused by Turnkey (its signature cannot be checked)", async () => {
    const stranger = createOidcIssuer({ issuer: "https://stranger.example" });
    const pending = login("u", {}, stranger, { allow: { issuers: ["https://stranger.example"], audiences: [AUDIENCE] } }).result;
    expect(await refusal(pending)).toMatchObject({ code: "rejected", status: 400 });
  });

  it("a forged token naming the emulator's issuer but signed by another key is refused by Turnkey", async () => {
    const forger = createOidcIssuer({ issuer: emulator.oidcIssuer.issuer });
    expect(await refusal(login("google-user-1", {}, forger).result)).toMatchObject({ code: "rejected", status: 400 });
  });

  it("refuses a wrong nonce (a token issued for another session key)", async () => {
    const other = createTestClientKey();
    expect(await refusal(login("u", { nonce: oauthNonceOf(other.publicKey) }).result)).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/nonce/) });
    expect(await refusal(login("u", { nonce: "" }).result)).toMatchObject({ code: "invalid_request" });
  });

  it("refuses a wrong audience (a token for another app)", async () => {
    expect(await refusal(login("u", { aud: "another-app" }).result)).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/audience/) });
  });

  it("refuses an expired token", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect(await refusal(login("u", { exp: past }).result)).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/expired/) });
  });

  it("never quotes the token in its messages", async () => {
    const { key } = login("x");
    const oidcToken = emulator.oidcIssuer.sign({ sub: "x", aud: "another-app", nonce: oauthNonceOf(key.publicKey) });
    const error = await refusal(oauthLogin({ client, parentOrganizationId: emulator.parentOrganizationId, oidcToken, publicKey: key.publicKey, allow }));
    for (const part of oidcToken.split(".")) expect(error.message).not.toContain(part);
  });

  it("checks the allow-list option", async () => {
    const { key } = login("x");
    const pending = oauthLogin({ client, parentOrganizationId: emulator.parentOrganizationId, oidcToken: "a.b.c", publicKey: key.publicKey, allow: { issuers: [], audiences: [AUDIENCE] } });
    await expect(pending).rejects.toThrow(/allow.issuers must be a non-empty array/);
  });
});

describe("the emulator's OAUTH_LOGIN checks the token itself", () => {
  it("refuses a wrong nonce, a wrong audience and an expired token even when the backend skipped its checks", async () => {
    const first = await login("google-user-4").result;
    const key = createTestClientKey();
    const attempt = (claims: { nonce?: string; aud?: string; exp?: number }) =>
      client.oauthLogin({ organizationId: first.organizationId, oidcToken: emulator.oidcIssuer.sign({ sub: "google-user-4", aud: AUDIENCE, nonce: oauthNonceOf(key.publicKey), ...claims }), publicKey: key.publicKey });
    await expect(attempt({})).resolves.toMatchObject({ session: expect.any(String) });
    await expect(attempt({ nonce: oauthNonceOf(createTestClientKey().publicKey) })).rejects.toThrow(/nonce/);
    await expect(attempt({ aud: "another-app" })).rejects.toThrow(/identity/);
    await expect(attempt({ exp: Math.floor(Date.now() / 1000) - 1 })).rejects.toThrow(/expired/);
  });
});

describe("POST /auth/oauth-login (createFlowHandler)", () => {
  let handle: FlowHandler;
  beforeAll(() => {
    handle = createFlowHandler({ client, parentOrganizationId: emulator.parentOrganizationId, appName: "tests", notarizerPublicKey: emulator.notarizerPublicKey, oauth: allow });
  });

  it("logs in with { oidcToken, publicKey } and answers the verified session", async () => {
    const key = createTestClientKey();
    const oidcToken = emulator.oidcIssuer.sign({ sub: "handler-user", aud: AUDIENCE, nonce: oauthNonceOf(key.publicKey) });
    const answer = await handle("oauth-login", { oidcToken, publicKey: key.publicKey });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ session: expect.any(String), created: true });
  });

  it("answers 400 with a reason for a refused token", async () => {
    const key = createTestClientKey();
    const oidcToken = emulator.oidcIssuer.sign({ sub: "handler-user", aud: "another-app", nonce: oauthNonceOf(key.publicKey) });
    expect(await handle("oauth-login", { oidcToken, publicKey: key.publicKey })).toMatchObject({ status: 400, body: { error: "invalid_request" } });
  });

  it("is not served without the oauth option, and cannot be enabled without it", async () => {
    const plain = createFlowHandler({ client, parentOrganizationId: emulator.parentOrganizationId, appName: "tests" });
    expect((await plain("oauth-login", {})).status).toBe(404);
    expect(() => createFlowHandler({ client, parentOrganizationId: emulator.parentOrganizationId, appName: "tests", flows: ["oauth-login"] })).toThrow(/needs the oauth option/);
  });
});

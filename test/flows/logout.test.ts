import { generateP256KeyPair } from "@turnkey/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, createSessionVerifier, isTurnkeyAuthError, type SessionVerifier } from "../../src/index.js";
import { createFlowHandler, endAllSessions, isTurnkeyFlowError, type FlowHandler } from "../../src/flows/index.js";
import { createTestClientKey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let handle: FlowHandler;
let routes: SessionVerifier; // what the app's protected routes use
let otherInstance: SessionVerifier; // a second backend instance sharing the store
const store = createMemoryStore();

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
  const options = { trustedOrganizations: "any" as const, notarizerPublicKey: emulator.notarizerPublicKey, store };
  routes = createSessionVerifier(options);
  otherInstance = createSessionVerifier(options);
  handle = createFlowHandler({ client, parentOrganizationId: emulator.parentOrganizationId, appName: "tests", otpSignerPublicKey: emulator.otpSignerPublicKey, verifier: routes });
});
afterAll(() => emulator.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "granted",
    (error: unknown) => (isTurnkeyAuthError(error) ? error.code : `foreign: ${String(error)}`),
  );
}

/** Logs `contact` in through the flows (signing up the first time) with a session key whose private half the test keeps. */
async function login(contact: string) {
  const tokenKey = createTestClientKey();
  const sessionKey = generateP256KeyPair();
  const init = await handle("otp-init", { otpType: "OTP_TYPE_EMAIL", contact });
  const { otpId, otpEncryptionTargetBundle } = init.body as { otpId: string; otpEncryptionTargetBundle: string };
  const encryptedOtpBundle = await tokenKey.encryptOtpCode(emulator.lastOtp(contact) as string, otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
  const { verificationToken } = (await handle("otp-verify", { otpId, encryptedOtpBundle })).body as { verificationToken: string };
  const answer = await handle("otp-login", {
    verificationToken,
    publicKey: sessionKey.publicKey,
    clientSignature: tokenKey.signLogin(verificationToken, sessionKey.publicKey),
    signupClientSignature: tokenKey.signSignup(verificationToken),
  });
  expect(answer.status).toBe(200);
  const body = answer.body as { session: string; organizationId: string; userId: string };
  return { ...body, sessionKey };
}

describe("POST /auth/logout", () => {
  it("revokes the presented session: refused by the routes and by another instance sharing the store; other sessions unaffected", async () => {
    const first = await login("logout@example.com");
    const second = await login("logout@example.com");
    expect(await codeOf(otherInstance.verify(first.session))).toBe("granted");
    const answer = await handle("logout", undefined, { authorization: `Bearer ${first.session}` });
    expect(answer).toEqual({ status: 200, body: { revoked: true, deletedAtTurnkey: false } });
    expect(await codeOf(routes.verify(first.session))).toBe("session_revoked");
    expect(await codeOf(otherInstance.verify(first.session))).toBe("session_revoked");
    expect(await codeOf(otherInstance.verify(second.session))).toBe("granted");
  });

  it("answers 401 without a Bearer token or with one not signed by Turnkey, never echoing it", async () => {
    expect(await handle("logout", {}, {})).toMatchObject({ status: 401, body: { error: "missing_token" } });
    expect(await handle("logout", {}, { authorization: "Basic abc" })).toMatchObject({ status: 401, body: { error: "missing_token" } });
    const answer = await handle("logout", {}, { authorization: "Bearer not-a-token" });
    expect(answer).toMatchObject({ status: 401, body: { error: "malformed_token" } });
    expect(JSON.stringify(answer.body)).not.toContain("not-a-token");
  });

  it("is served only with a verifier or store, since a logout recorded nowhere would end nothing", async () => {
    const base = { client, parentOrganizationId: emulator.parentOrganizationId, appName: "t" };
    expect((await createFlowHandler(base)("logout", {}, {})).status).toBe(404);
    expect(() => createFlowHandler({ ...base, flows: ["logout"] })).toThrow(/logout/);
    expect((await createFlowHandler({ ...base, store, notarizerPublicKey: emulator.notarizerPublicKey })("logout", {}, {})).status).toBe(401);
  });

  it("with a sessionKeyDeleter that has write access in the sub-organization, also deletes the key at Turnkey", async () => {
    const session = await login("delete@example.com");
    const userClient = sdkClient(emulator, { publicKey: session.sessionKey.publicKey, privateKey: session.sessionKey.privateKey }, session.organizationId);
    const withDeleter = createFlowHandler({ client, parentOrganizationId: emulator.parentOrganizationId, appName: "t", verifier: routes, sessionKeyDeleter: userClient });
    const answer = await withDeleter("logout", {}, { authorization: `Bearer ${session.session}` });
    expect(answer).toEqual({ status: 200, body: { revoked: true, deletedAtTurnkey: true } });
    const keys = emulator.organization(session.organizationId)?.users[0]?.apiKeys.map((key) => key.publicKey);
    expect(keys).not.toContain(session.sessionKey.publicKey.toLowerCase());
  });
});

describe("endAllSessions", () => {
  it("revokes every session key the user has now (listed with the parent's key); logins afterwards work", async () => {
    const sessions = [await login("all@example.com"), await login("all@example.com")];
    const { organizationId, userId } = sessions[0]!;
    const result = await endAllSessions({ client, verifier: routes, organizationId, userId });
    expect(result).toEqual({ revoked: 2, deletedAtTurnkey: false });
    for (const { session } of sessions) expect(await codeOf(otherInstance.verify(session))).toBe("session_revoked");
    const later = await login("all@example.com");
    expect(await codeOf(otherInstance.verify(later.session))).toBe("granted");
  });

  it("cannot delete at Turnkey with the parent's key: Turnkey (here the emulator) answers permission denied, after the store revocations", async () => {
    const session = await login("parent-delete@example.com");
    const error = await endAllSessions({ client, verifier: routes, organizationId: session.organizationId, userId: session.userId, deleter: client }).catch((thrown: unknown) => thrown);
    expect(isTurnkeyFlowError(error) && error.code).toBe("forbidden");
    expect(await codeOf(otherInstance.verify(session.session))).toBe("session_revoked");
  });

  it("validates its input", async () => {
    await expect(endAllSessions({ client, verifier: routes, organizationId: "", userId: "u" })).rejects.toThrow(/organizationId/);
    await expect(endAllSessions({ client: {} as never, verifier: routes, organizationId: "o", userId: "u" })).rejects.toThrow(/getApiKeys/);
  });
});

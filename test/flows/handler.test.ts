import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/index.js";
import { createFlowHandler, type FlowHandler, type TurnkeyFlowsClient } from "../../src/flows/index.js";
import { createTestClientKey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { fakePasskey, sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let handle: FlowHandler;
const logged: [unknown, string][] = [];

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
  handle = createFlowHandler({
    client,
    parentOrganizationId: emulator.parentOrganizationId,
    appName: "tests",
    otpSignerPublicKey: emulator.otpSignerPublicKey,
    notarizerPublicKey: emulator.notarizerPublicKey,
    sessionExpirationSeconds: 600,
    onError: (error, flow) => logged.push([error, flow]),
  });
});
afterAll(() => emulator.close());

describe("createFlowHandler", () => {
  it("runs the OTP flow: otp-init, otp-verify, otp-login", async () => {
    const key = createTestClientKey();
    const init = await handle("otp-init", { otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com" });
    expect(init.status).toBe(200);
    const { otpId, otpEncryptionTargetBundle } = init.body as { otpId: string; otpEncryptionTargetBundle: string };
    const encryptedOtpBundle = await key.encryptOtpCode(emulator.lastOtp("ada@example.com") as string, otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
    const verify = await handle("otp-verify", { otpId, encryptedOtpBundle });
    expect(verify.status).toBe(200);
    expect(Object.keys(verify.body as object)).toEqual(["verificationToken"]);
    const { verificationToken } = verify.body as { verificationToken: string };
    const login = await handle("otp-login", { verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) });
    expect(login.status).toBe(200);
    const body = login.body as { session: string; organizationId: string; userId: string; expiresAt: number; created: boolean };
    expect(body).toMatchObject({ created: true, session: expect.stringMatching(/^eyJ/) });
    expect(body.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(590);
    expect(body.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);
    expect(emulator.organization(body.organizationId)?.users[0]?.userId).toBe(body.userId);
  });

  it("runs signup with 201; the temporary key expires in 15 minutes unless the client asks otherwise", async () => {
    const answer = await handle("signup", { userName: "Grace", passkey: fakePasskey(), apiKey: { publicKey: createTestClientKey().publicKey } });
    expect(answer.status).toBe(201);
    const { subOrganizationId, userId } = answer.body as { subOrganizationId: string; userId: string };
    const user = emulator.organization(subOrganizationId)?.users[0];
    expect(user?.userId).toBe(userId);
    expect((user?.apiKeys[0]?.expiresAtMs ?? 0) - Date.now()).toBeGreaterThan(890_000);
    expect((user?.apiKeys[0]?.expiresAtMs ?? Infinity) - Date.now()).toBeLessThanOrEqual(900_000);

    const shorter = await handle("signup", { userName: "Hal", passkey: fakePasskey(), apiKey: { publicKey: createTestClientKey().publicKey, expirationSeconds: 60 } });
    const { subOrganizationId: other } = shorter.body as { subOrganizationId: string };
    expect((emulator.organization(other)?.users[0]?.apiKeys[0]?.expiresAtMs ?? Infinity) - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it("answers 400 with the input's name for bad bodies", async () => {
    expect(await handle("otp-init", { otpType: "OTP_TYPE_EMAIL" })).toEqual({ status: 400, body: { error: "invalid_request", message: expect.stringMatching(/^contact is required/) } });
    expect(await handle("otp-login", { verificationToken: "x.y.z", publicKey: "nope" })).toMatchObject({ status: 400, body: { error: "invalid_request", message: expect.stringMatching(/^publicKey/) } });
    expect(await handle("signup", { userName: "x" })).toMatchObject({ status: 400, body: { error: "invalid_request", message: expect.stringMatching(/^passkey/) } });
    expect(await handle("otp-init", "not an object")).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(await handle("otp-init", null)).toMatchObject({ status: 400 });
  });

  it("answers 404 for unknown or disabled flows, without echoing the name", async () => {
    const answer = await handle("<script>", {});
    expect(answer).toMatchObject({ status: 404, body: { error: "unknown_flow" } });
    expect(JSON.stringify(answer.body)).not.toContain("<script>");
    const otpOnly = createFlowHandler({ client, parentOrganizationId: emulator.parentOrganizationId, appName: "t", flows: ["otp-init"] });
    expect((await otpOnly("signup", {})).status).toBe(404);
  });

  it("answers 503 during an outage and reports it to onError", async () => {
    logged.length = 0;
    await emulator.faults.set({ kind: "status500" });
    try {
      const answer = await handle("otp-init", { otpType: "OTP_TYPE_EMAIL", contact: "down@example.com" });
      expect(answer).toEqual({ status: 503, body: { error: "unavailable", message: "Turnkey is unavailable (init OTP)" } });
      expect(logged).toHaveLength(1);
      expect(logged[0]?.[1]).toBe("otp-init");
    } finally {
      await emulator.faults.clear();
    }
  });

  it("answers 503, never the detail, when the client throws synchronously", async () => {
    logged.length = 0;
    const broken = {
      ...Object.fromEntries(["createSubOrganization", "verifyOtp", "otpLogin", "getVerifiedSubOrgIds"].map((name) => [name, async () => ({})])),
      initOtp: () => {
        throw new RangeError("secret internal detail");
      },
    } as unknown as TurnkeyFlowsClient;
    const failing = createFlowHandler({ client: broken, parentOrganizationId: "p", appName: "t", onError: (error, flow) => logged.push([error, flow]) });
    const answer = await failing("otp-init", { otpType: "OTP_TYPE_EMAIL", contact: "x@example.com" });
    // A synchronous throw inside the SDK call is still a failed Turnkey call: 503, never the detail.
    expect(answer.status).toBe(503);
    expect(JSON.stringify(answer.body)).not.toContain("secret internal detail");
    expect(logged).toHaveLength(1);
  });

  it("answers 500 with a generic body when something unexpected throws", async () => {
    logged.length = 0;
    const verifier = {
      notarizerPublicKey: emulator.notarizerPublicKey,
      store: createMemoryStore(),
      clearCache() {},
      verify: async () => {
        throw new RangeError("secret internal detail");
      },
      cached: () => undefined,
      revoke: async () => undefined,
    };
    const failing = createFlowHandler({
      client,
      parentOrganizationId: emulator.parentOrganizationId,
      appName: "t",
      otpSignerPublicKey: emulator.otpSignerPublicKey,
      verifier,
      onError: (error, flow) => logged.push([error, flow]),
    });
    const key = createTestClientKey();
    const init = (await failing("otp-init", { otpType: "OTP_TYPE_EMAIL", contact: "bug@example.com" })).body as { otpId: string; otpEncryptionTargetBundle: string };
    const encryptedOtpBundle = await key.encryptOtpCode(emulator.lastOtp("bug@example.com") as string, init.otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
    const { verificationToken } = (await failing("otp-verify", { otpId: init.otpId, encryptedOtpBundle })).body as { verificationToken: string };
    const answer = await failing("otp-login", { verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) });
    expect(answer).toEqual({ status: 500, body: { error: "internal_error", message: "The request could not be completed" } });
    expect(logged).toHaveLength(1);
    expect((logged[0]?.[0] as Error).message).toBe("secret internal detail");
  });

  it("validates its configuration", () => {
    expect(() => createFlowHandler({ client, parentOrganizationId: "", appName: "t" })).toThrow(/parentOrganizationId/);
    expect(() => createFlowHandler({ client, parentOrganizationId: "p", appName: "" })).toThrow(/appName/);
    expect(() => createFlowHandler({ client: {} as TurnkeyFlowsClient, parentOrganizationId: "p", appName: "t" })).toThrow(/client/);
    expect(() => createFlowHandler({ client, parentOrganizationId: "p", appName: "t", flows: ["nope" as "signup"] })).toThrow(/nope/);
    expect(() => createFlowHandler({ client, parentOrganizationId: "p", appName: "t", sessionExpirationSeconds: 0 })).toThrow(/sessionExpirationSeconds/);
  });
});

// Hostile input that made the old checks backtrack (issue 14), through the real flow handler and
// the emulator's HTTP API: a 16 KB contact of `a@` + dots + `@` on the unauthenticated flows, and
// 64 KB runs of `=` as WebAuthn challenges. Each is answered 400, never 5xx. No timing is asserted:
// test/hostile/linear-patterns.test.ts proves the patterns linear, and the scans are single passes.
import { ApiKeyStamper } from "@turnkey/api-key-stamper";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlowHandler, type FlowHandler } from "../../src/flows/index.js";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { fakePasskey, sdkClient } from "../helpers/testing/emulator-helpers.js";

const MAX_FLOW_INPUT = 16_384;
// `a@` + dots + `@`: the shape that made /^[^\s@]+@[^\s@]+\.[^\s@]+$/ quadratic, at the flows' length limit.
const DOTTED_CONTACT = `a@${".".repeat(MAX_FLOW_INPUT - 3)}@`;
// A run of `=` that does not end the string: the shape that made /=+$/ quadratic.
const PADDING_RUN = "=".repeat(64 * 1024);

let emulator: TurnkeyEmulator;
let handle: FlowHandler;
let failures: unknown[] = [];

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  handle = createFlowHandler({
    client: sdkClient(emulator),
    parentOrganizationId: emulator.parentOrganizationId,
    appName: "tests",
    otpSignerPublicKey: emulator.otpSignerPublicKey,
    notarizerPublicKey: emulator.notarizerPublicKey,
    onError: (error) => failures.push(error),
  });
});
afterAll(() => emulator.close());

/** A stamped POST to the emulator, as `@turnkey/http` sends it, answering the HTTP status and body. */
async function submit(path: string, type: string, parameters: Record<string, unknown>) {
  const body = JSON.stringify({ type, timestampMs: String(Date.now()), organizationId: emulator.parentOrganizationId, parameters });
  const stamper = new ApiKeyStamper({ apiPublicKey: emulator.apiKey.publicKey, apiPrivateKey: emulator.apiKey.privateKey });
  const { stampHeaderName, stampHeaderValue } = await stamper.stamp(body);
  const response = await fetch(`${emulator.apiBaseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", [stampHeaderName]: stampHeaderValue }, body });
  return { status: response.status, body: (await response.json()) as { code?: number; message?: string } };
}

function subOrganizationWithUser(user: Record<string, unknown>) {
  return submit("/public/v1/submit/create_sub_organization", "ACTIVITY_TYPE_CREATE_SUB_ORGANIZATION_V7", {
    subOrganizationName: "hostile",
    rootQuorumThreshold: 1,
    rootUsers: [{ userName: "hostile", apiKeys: [], authenticators: [], oauthProviders: [], ...user }],
  });
}

describe("the flow handler", () => {
  it("answers 400 to otp-init with a 16 KB dotted contact", async () => {
    failures = [];
    expect(DOTTED_CONTACT).toHaveLength(MAX_FLOW_INPUT);
    const answer = await handle("otp-init", { otpType: "OTP_TYPE_EMAIL", contact: DOTTED_CONTACT });
    expect(answer).toEqual({ status: 400, body: { error: "invalid_request", message: "contact must be an email address" } });
    expect(failures).toEqual([]);
  });

  it("answers 400 to signup with a 16 KB dotted email, and with a 64 KB challenge", async () => {
    failures = [];
    expect((await handle("signup", { userName: "Mallory", email: DOTTED_CONTACT, passkey: fakePasskey() })).status).toBe(400);
    expect((await handle("signup", { userName: "Mallory", passkey: fakePasskey(`${PADDING_RUN}A=`) })).status).toBe(400);
    expect(failures).toEqual([]);
  });

  it("answers 400 or 200, never 5xx, to long contacts made of the characters the check looks for", async () => {
    failures = [];
    const part = fc.constantFrom("a", "@", ".", " ", "\u2028", "=");
    const contact = fc
      .tuple(fc.string({ unit: part, minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4_000 }), fc.string({ unit: part, maxLength: 6 }))
      .map(([run, times, tail]) => `${run.repeat(times)}${tail}`.slice(0, MAX_FLOW_INPUT + 16));
    await fc.assert(
      fc.asyncProperty(contact, async (value) => {
        const { status } = await handle("otp-init", { otpType: "OTP_TYPE_EMAIL", contact: value });
        expect([200, 400]).toContain(status);
      }),
      { numRuns: 40 },
    );
    expect(failures).toEqual([]);
  });
});

describe("the emulator", () => {
  it("answers 400 (INVALID_ARGUMENT) to init_otp with a dotted contact of 16 KB and of 64 KB", async () => {
    for (const contact of [DOTTED_CONTACT, `a@${".".repeat(64 * 1024)}@`]) {
      const { status, body } = await submit("/public/v1/submit/init_otp", "ACTIVITY_TYPE_INIT_OTP_V3", { otpType: "OTP_TYPE_EMAIL", contact, appName: "tests" });
      expect(status).toBe(400);
      expect(body).toMatchObject({ code: 3, message: expect.stringContaining("email address") });
    }
  });

  it("answers 400 to create_sub_organization with a 64 KB dotted email", async () => {
    const { status, body } = await subOrganizationWithUser({ userEmail: `a@${".".repeat(64 * 1024)}@` });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 3, message: expect.stringContaining("userEmail") });
  });

  it("answers 400 to create_sub_organization with 64 KB challenges that differ after a run of padding", async () => {
    const passkey = fakePasskey(`${PADDING_RUN}B=`);
    const { status, body } = await subOrganizationWithUser({
      authenticators: [{ authenticatorName: "hostile", challenge: `${PADDING_RUN}A=`, attestation: passkey.attestation }],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 3, message: expect.stringContaining("challenge does not match") });
  });

  it("still accepts a padded challenge whose attestation carries it unpadded", async () => {
    const passkey = fakePasskey("YWJjZA");
    const { status } = await subOrganizationWithUser({
      authenticators: [{ authenticatorName: "padded", challenge: "YWJjZA==", attestation: passkey.attestation }],
    });
    expect(status).toBe(200);
  });
});

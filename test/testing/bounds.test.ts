// The emulator's memory stays bounded whatever it is sent: the request log is a ring buffer, OTPs
// and verification tokens are forgotten when they expire and bounded in number, activities too.
import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createTestClientKey, startTurnkeyEmulator, type StartTurnkeyEmulatorOptions, type TurnkeyEmulator } from "../../src/testing/index.js";
import { encryptCode, rejectionOf, sdkClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: StartTurnkeyEmulatorOptions = {}): Promise<TurnkeyEmulator> {
  emulator = await startTurnkeyEmulator(options);
  return emulator;
}

/** POSTs `body` to `path` over a kept-alive connection; resolves with the status. */
function post(target: TurnkeyEmulator, agent: Agent, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: "127.0.0.1", port: target.port, path, method: "POST", agent, headers: { "content-type": "application/json" } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

describe("the request log", () => {
  it("keeps the latest 1,000 requests by default: a flood of junk requests stays at the bound", async () => {
    const target = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const junk = JSON.stringify({ organizationId: "o".repeat(300), padding: "x".repeat(15_000) });
    const FLOOD = 1_100;
    try {
      for (let batch = 0; batch < FLOOD; batch += 50) {
        const statuses = await Promise.all(Array.from({ length: 50 }, (_, index) => post(target, agent, `/junk/${batch + index}`, junk)));
        expect(statuses.every((status) => status === 404)).toBe(true);
      }
    } finally {
      agent.destroy();
    }
    const log = target.requests;
    expect(log).toHaveLength(1_000);
    // The newest are kept, oldest first; an overlong organizationId is not kept at all.
    expect(new Set(log.map((record) => Number(record.path.split("/")[2])))).toEqual(new Set(Array.from({ length: 1_000 }, (_, index) => FLOOD - 1_000 + index)));
    expect(log.every((record) => record.organizationId === undefined)).toBe(true);
  });

  it("is configurable (requestLogSize), oldest first, a copy when read", async () => {
    const target = await start({ requestLogSize: 3 });
    const client = sdkClient(target);
    for (let index = 0; index < 5; index++) await client.getWhoami();
    await rejectionOf(sdkClient(target, createTestClientKey()).getUsers());
    const log = target.requests;
    expect(log.map((record) => record.status)).toEqual([200, 200, 401]);
    expect(log[2]).toMatchObject({ path: "/public/v1/query/list_users", organizationId: target.parentOrganizationId });
    await client.getWhoami();
    expect(log).toHaveLength(3); // the copy read before is not changed…
    expect(target.requests.at(-1)?.path).toBe("/public/v1/query/whoami"); // …a new read sees the new request
  });

  it("refuses unusable sizes with a TypeError naming the option", async () => {
    for (const option of ["requestLogSize", "maxOtps", "maxActivities"] as const) {
      for (const value of [0, -1, 1.5, Number.NaN, 2_000_000]) {
        await expect(startTurnkeyEmulator({ [option]: value })).rejects.toThrow(new RegExp(option));
      }
    }
  });
});

describe("OTPs", () => {
  it("an expired OTP is refused, then forgotten (unknown), and its code is no longer in the inbox", async () => {
    let clock = Date.now();
    const target = await start({ now: () => clock });
    const client = sdkClient(target);
    const key = createTestClientKey();
    const contact = "late@example.com";
    const { otpId, otpEncryptionTargetBundle } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact, appName: "tests", expirationSeconds: "60" });
    const encryptedOtpBundle = await encryptCode(target, contact, otpEncryptionTargetBundle, key);
    clock += 60_000;
    expect(target.lastOtp(contact)).toBeUndefined();
    const expired = await rejectionOf(client.verifyOtp({ otpId, encryptedOtpBundle }));
    expect(expired).toMatchObject({ code: 3, message: expect.stringMatching(/expired/) });
    const forgotten = await rejectionOf(client.verifyOtp({ otpId, encryptedOtpBundle }));
    expect(forgotten).toMatchObject({ code: 5, message: expect.stringMatching(/not found/) });
  });

  it("keeps at most maxOtps codes: a newer one makes the oldest unknown", async () => {
    const target = await start({ maxOtps: 2 });
    const client = sdkClient(target);
    const sent = [];
    for (const contact of ["first@example.com", "second@example.com", "third@example.com"]) {
      sent.push({ contact, ...(await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact, appName: "tests" })) });
    }
    expect(target.lastOtp("first@example.com")).toBeUndefined();
    const [first, , third] = sent as [(typeof sent)[0], (typeof sent)[0], (typeof sent)[0]];
    const key = createTestClientKey();
    const guess = await key.encryptOtpCode("000000000", first.otpEncryptionTargetBundle, target.otpSignerPublicKey);
    expect(await rejectionOf(client.verifyOtp({ otpId: first.otpId, encryptedOtpBundle: guess }))).toMatchObject({ code: 5 });
    const encryptedOtpBundle = await encryptCode(target, third.contact, third.otpEncryptionTargetBundle, key);
    expect((await client.verifyOtp({ otpId: third.otpId, encryptedOtpBundle })).verificationToken).toEqual(expect.any(String));
  });
});

describe("activities", () => {
  it("keeps at most maxActivities for get_activity: the oldest is forgotten", async () => {
    const target = await start({ maxActivities: 2 });
    const client = sdkClient(target);
    const ids = [];
    for (const contact of ["a@example.com", "b@example.com", "c@example.com"]) {
      ids.push((await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact, appName: "tests" })).activity.id);
    }
    expect(await rejectionOf(client.getActivity({ activityId: ids[0] as string }))).toMatchObject({ code: 5 });
    expect((await client.getActivity({ activityId: ids[2] as string })).activity.id).toBe(ids[2]);
  });
});

// Keeps examples/webhooks working: the emulator's activities reach the example's onActivity, and
// the JSON routes after the webhook route still parse JSON.
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookApp } from "../../examples/webhooks/app.js";
import type { TurnkeyActivityPayload } from "../../src/webhooks.js";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { listen } from "../helpers/adapters/http.js";
import { sdkClient } from "../helpers/testing/emulator-helpers.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe("examples/webhooks", () => {
  it("hands each completed activity of the emulator to onActivity, and leaves JSON routes working", async () => {
    const activities: TurnkeyActivityPayload[] = [];
    let emulator: TurnkeyEmulator | undefined;
    // The app needs the emulator's JWKS URL, the emulator the app's URL: the JWKS is fetched lazily.
    const app = createWebhookApp({
      jwksUrl: "http://emulator.invalid/public/v1/discovery/webhooks/jwks",
      fetch: (_url, init) => fetch((emulator as TurnkeyEmulator).webhookJwksUrl, init),
      onActivity: async (activity) => void activities.push(activity),
    });
    const server = await listen(app);
    closers.push(() => server.close());
    emulator = await startTurnkeyEmulator({ webhooks: { url: `http://127.0.0.1:${server.port}/webhooks/turnkey` } });
    closers.push((emulator as TurnkeyEmulator).close);
    const client = sdkClient(emulator);
    await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "a@example.com", appName: "tests" });
    await client.initOtp({ otpType: "OTP_TYPE_SMS", contact: "+15555550100", appName: "tests" });
    await emulator.webhooksSettled();
    expect(activities.map((activity) => activity.type)).toEqual(["ACTIVITY_TYPE_INIT_OTP_V3", "ACTIVITY_TYPE_INIT_OTP_V3"]);
    const reply = await server.request("/api/orders", [["content-type", "application/json"]], { method: "POST", body: '{"n":1}' });
    expect(reply.body).toEqual({ received: { n: 1 } });
  });
});

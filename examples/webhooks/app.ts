// A backend receiving Turnkey's webhooks with Express: the webhook route is mounted before
// express.json(), so that it verifies the exact bytes Turnkey signed.
import express from "express";
import type { SessionStore } from "../../src/index.js";
import { expressWebhook, type TurnkeyActivityPayload } from "../../src/webhooks.js";

export interface WebhookAppOptions {
  /** Share one store (e.g. Redis) across instances, so that a cluster handles each event once. */
  store?: SessionStore;
  /** The emulator's JWKS in tests; Turnkey's by default. */
  jwksUrl?: string;
  fetch?: typeof fetch;
  /** What your app does with a finished activity (queue it, update a record…). */
  onActivity: (activity: TurnkeyActivityPayload) => Promise<void>;
}

export function createWebhookApp(options: WebhookAppOptions): express.Express {
  const { onActivity, ...receiverOptions } = options;
  const app = express();
  app.post(
    "/webhooks/turnkey",
    expressWebhook({
      ...receiverOptions,
      onEvent: async (event) => {
        if (event.eventType === "ACTIVITY_UPDATES") await onActivity(event.payload);
      },
    }),
  );
  app.use(express.json());
  app.post("/api/orders", (req, res) => void res.json({ received: req.body }));
  return app;
}

// `turnkey-session-auth/webhooks`: receive Turnkey's signed webhooks. The core (src/webhooks/) is
// runtime-neutral (WebCrypto Ed25519); the framework helpers import their frameworks' types only.
export { createWebhookReceiver } from "./webhooks/receiver.js";
export type { TurnkeyWebhookAnswer, TurnkeyWebhookOptions, TurnkeyWebhookReceiver, TurnkeyWebhookRefusal } from "./webhooks/receiver.js";
export type { HeaderLookup } from "./webhooks/delivery-headers.js";
export type {
  TurnkeyActivityPayload,
  TurnkeyBalancePayload,
  TurnkeyTransactionStatusPayload,
  TurnkeyWebhookEvent,
  TurnkeyWebhookEventType,
} from "./webhooks/events.js";
export { TURNKEY_WEBHOOK_JWKS_URL } from "./webhooks/jwks.js";
export { verifyWebhookRequest } from "./adapters/webhooks/fetch.js";
export { captureRawBody, expressWebhook } from "./adapters/webhooks/express.js";
export { fastifyWebhook } from "./adapters/webhooks/fastify.js";
export type { FastifyWebhookOptions } from "./adapters/webhooks/fastify.js";
export { honoWebhook } from "./adapters/webhooks/hono.js";
export { koaWebhook } from "./adapters/webhooks/koa.js";

import type { FastifyPluginAsync } from "fastify";
import { createWebhookReceiver, type TurnkeyWebhookOptions } from "../../webhooks/receiver.js";
import { nodeHeaders } from "./node-request.js";

/**
 * Options of {@link fastifyWebhook}: the webhook options and the route's path.
 * @example `fastifyWebhook({ path: "/webhooks/turnkey", onEvent })`
 */
export type FastifyWebhookOptions = TurnkeyWebhookOptions & { path: string };

/**
 * A Fastify plugin that adds the `POST` route receiving Turnkey webhooks. Inside the plugin's own
 * context every content type is read as a raw Buffer (the bytes Turnkey signed); the app's other
 * routes keep their parsers. Fastify answers 413 itself above `maxBodyBytes`.
 *
 * @example
 * ```ts
 * await app.register(fastifyWebhook({ path: "/webhooks/turnkey", onEvent: async (event) => { await jobs.add(event.eventId, event.payload); } }));
 * ```
 */
export function fastifyWebhook(options: FastifyWebhookOptions): FastifyPluginAsync {
  if (typeof options?.path !== "string" || !options.path.startsWith("/")) throw new TypeError('turnkey-session-auth: option "path" must be a path starting with "/"');
  const receiver = createWebhookReceiver(options);
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: receiver.maxBodyBytes }, (_request, body, done) => done(null, body));
    instance.post(options.path, { bodyLimit: receiver.maxBodyBytes }, async (request, reply) => {
      const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
      const answer = await receiver.receive(nodeHeaders(request.headers), body);
      return reply.code(answer.status).send(answer.body);
    });
  };
}

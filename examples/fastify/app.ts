import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { turnkeyAuth } from "../../src/adapters/fastify.js";
import { organizationFromParam } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";

export function createApp(config: ExampleConfig): FastifyInstance {
  const app = Fastify({ bodyLimit: 1_048_576 }); // 1 MiB (Fastify's default), as in the other examples
  app.register(turnkeyAuth, config.auth);

  // Registered after the plugin, so `app.turnkey` exists when these routes are declared.
  app.register(async (app) => {
    app.get("/health", async () => ({ ok: true }));

    app.get("/me", { onRequest: app.turnkey.authenticate() }, async (request) => {
      const { userId, organizationId, sessionType, expiresAt } = request.turnkey!; // set by the hook
      return { userId, organizationId, sessionType, expiresAt };
    });

    // Only members of the organization in the URL get in (403 otherwise).
    app.get<{ Params: { orgId: string } }>(
      "/orgs/:orgId/wallets",
      { onRequest: app.turnkey.authenticate([organizationFromParam("orgId")]) },
      async (request) => ({ organizationId: request.turnkey!.organizationId, wallets: [] }),
    );

    const { handleFlow } = config;
    if (handleFlow) {
      app.post<{ Params: { flow: string } }>("/auth/:flow", { errorHandler: bodyErrors }, async (request, reply) => {
        const { status, body } = await handleFlow(request.params.flow, request.body, { authorization: request.headers.authorization });
        return reply.code(status).send(body);
      });
    }
  });

  return app;
}

// Fastify refuses a body over bodyLimit (413) or one it cannot parse (400, 415) before the
// handler runs: answered in the same shape as the other examples.
function bodyErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.statusCode === 413) return reply.code(413).send({ error: "body_too_large", message: "The body must be at most 1 MiB" });
  if (error.code?.startsWith("FST_ERR_CTP_")) return reply.code(400).send({ error: "invalid_json", message: "The body must be JSON" });
  return reply.send(error);
}

import Fastify, { type FastifyInstance } from "fastify";
import { turnkeyAuth } from "../../src/adapters/fastify.js";
import { organizationFromParam } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";

export function createApp(config: ExampleConfig): FastifyInstance {
  const app = Fastify();
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
      app.post<{ Params: { flow: string } }>("/auth/:flow", async (request, reply) => {
        const { status, body } = await handleFlow(request.params.flow, request.body);
        return reply.code(status).send(body);
      });
    }
  });

  return app;
}

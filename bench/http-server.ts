// Child process of the HTTP benchmark: serves one example app (examples/<framework>/app.ts) on
// 127.0.0.1, on its own event loop, away from the load generator. Two instances of the app, on
// two ports: one as configured (the library's verifier), one given a synchronous verifier (the
// baseline of the cold run), so both are measured in the same process.
// Usage (forked by bench/http.ts): http-server.ts <express|fastify|koa|hono> <notarizerPublicKeyHex>
// Sends { port, syncPort } over IPC once listening; exits when the parent disconnects.
import type { AddressInfo, Server } from "node:net";
import type { VerifyOptions } from "../src/index.js";
import { createSyncVerifier } from "./sync-verifier.js";
import { BENCH_ORGANIZATION_ID } from "./tokens.js";

const [framework, notarizerPublicKey] = process.argv.slice(2) as [string, string];

// GET /me-unprotected: answers what /me answers (the same four session fields, as JSON) without
// authentication, added to the example app here. The benchmark sends it /me's request, token
// header included: against it, the protected /me measures what the library costs alone; against
// /health, /me also pays for a 450-byte header in and a bigger body out.
const SAME_SHAPE_PATH = "/me-unprotected"; // SAME_SHAPE_PATH in http.ts
const SAME_SHAPE_BODY = {
  userId: "6912b819-f4df-40f4-a192-20ee43090974",
  organizationId: BENCH_ORGANIZATION_ID,
  sessionType: "SESSION_TYPE_READ_WRITE",
  expiresAt: 1748876837,
};
const auth: VerifyOptions = { trustedOrganizations: [BENCH_ORGANIZATION_ID], notarizerPublicKey };
// The adapters accept a ready `verifier`; this one verifies synchronously, on the event loop.
const syncAuth = { ...auth, verifier: createSyncVerifier({ notarizerPublicKey, trustedOrganizations: [BENCH_ORGANIZATION_ID] }) };

async function listen(auth: VerifyOptions): Promise<number> {
  switch (framework) {
    case "express": {
      const { createApp } = await import("../examples/express/app.js");
      const app = createApp({ auth });
      app.get(SAME_SHAPE_PATH, (_request, response) => {
        const { userId, organizationId, sessionType, expiresAt } = SAME_SHAPE_BODY;
        response.json({ userId, organizationId, sessionType, expiresAt });
      });
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return (server.address() as AddressInfo).port;
    }
    case "koa": {
      const { createRouter } = await import("../examples/koa/app.js");
      const { default: Koa } = await import("koa");
      // On the example's own router, as createApp mounts it, so both routes are routed alike.
      const router = createRouter({ auth });
      router.get(SAME_SHAPE_PATH, (context) => {
        const { userId, organizationId, sessionType, expiresAt } = SAME_SHAPE_BODY;
        context.body = { userId, organizationId, sessionType, expiresAt };
      });
      const app = new Koa();
      app.use(router.routes()).use(router.allowedMethods());
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return (server.address() as AddressInfo).port;
    }
    case "fastify": {
      const { createApp } = await import("../examples/fastify/app.js");
      const app = createApp({ auth });
      app.get(SAME_SHAPE_PATH, async () => {
        const { userId, organizationId, sessionType, expiresAt } = SAME_SHAPE_BODY;
        return { userId, organizationId, sessionType, expiresAt };
      });
      await app.listen({ port: 0, host: "127.0.0.1" });
      return (app.server.address() as AddressInfo).port;
    }
    case "hono": {
      const { createApp } = await import("../examples/hono/app.js");
      const { serve } = await import("@hono/node-server");
      const app = createApp({ auth });
      app.get(SAME_SHAPE_PATH, (context) => {
        const { userId, organizationId, sessionType, expiresAt } = SAME_SHAPE_BODY;
        return context.json({ userId, organizationId, sessionType, expiresAt });
      });
      const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
      await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once("listening", resolve)));
      return (server.address() as AddressInfo).port;
    }
    default:
      throw new Error(`unknown framework ${framework}`);
  }
}

const port = await listen(auth);
const syncPort = await listen(syncAuth);
process.send?.({ port, syncPort });
process.on("disconnect", () => process.exit(0));

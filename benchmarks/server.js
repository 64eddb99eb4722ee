// The HTTP benchmark's server, a child process forked by http.js, on its own event loop:
//   node server.js <express|fastify|koa|hono> <build dir, "" for the installed package> <notarizer key> <body JSON>
// Two routes in one tiny app:
// - GET /me, protected by the build's turnkeyAuth: answers the session's fields;
// - GET /me-unprotected: the same handler and answer (the fields of <body JSON>) with no
//   authentication. Sent the same request, token header included, it is /me minus the library.
// Listens on 127.0.0.1 (an ephemeral port), reports { port } over IPC, exits when the parent goes.
import { importEntry, verifyOptions } from "./lib.js";

const [framework, buildDir, notarizerPublicKey, bodyJson] = process.argv.slice(2);
const unprotectedSession = JSON.parse(bodyJson);
const options = verifyOptions(notarizerPublicKey);
const fields = ({ userId, organizationId, sessionType, expiresAt }) => ({ userId, organizationId, sessionType, expiresAt });
const { turnkeyAuth } = await importEntry(buildDir, `./${framework}`);

async function listen() {
  switch (framework) {
    case "express": {
      const { default: express } = await import("express");
      const app = express();
      app.get("/me", turnkeyAuth(options), (req, res) => res.json(fields(req.turnkey)));
      app.get("/me-unprotected", (_req, res) => res.json(fields(unprotectedSession)));
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return server.address().port;
    }
    case "fastify": {
      const { default: Fastify } = await import("fastify");
      const app = Fastify();
      await app.register(turnkeyAuth, options);
      app.get("/me", { onRequest: app.turnkey.authenticate() }, async (request) => fields(request.turnkey));
      app.get("/me-unprotected", async () => fields(unprotectedSession));
      await app.listen({ port: 0, host: "127.0.0.1" });
      return app.server.address().port;
    }
    case "koa": {
      const [{ default: Koa }, { default: Router }] = await Promise.all([import("koa"), import("@koa/router")]);
      const router = new Router();
      router.get("/me", turnkeyAuth(options), (ctx) => {
        ctx.body = fields(ctx.state.turnkey);
      });
      router.get("/me-unprotected", (ctx) => {
        ctx.body = fields(unprotectedSession);
      });
      const app = new Koa();
      app.use(router.routes()).use(router.allowedMethods());
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return server.address().port;
    }
    case "hono": {
      const [{ Hono }, { serve }] = await Promise.all([import("hono"), import("@hono/node-server")]);
      const app = new Hono();
      app.get("/me", turnkeyAuth(options), (c) => c.json(fields(c.get("turnkey"))));
      app.get("/me-unprotected", (c) => c.json(fields(unprotectedSession)));
      return new Promise((resolve) => serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port)));
    }
    default:
      throw new Error(`unknown framework ${framework}`);
  }
}

process.send({ port: await listen() });
process.on("disconnect", () => process.exit(0));

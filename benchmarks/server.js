// The HTTP benchmark's server, a child process forked by http.js, on its own event loop:
//   node server.js <express|fastify|koa|hono> <build dir, "" for the installed package> <notarizer key> <body JSON> [<extras JSON>]
// One tiny app:
// - GET /me, protected by the build's turnkeyAuth: answers the session's fields;
// - GET /me-unprotected: the same handler and answer (the fields of <body JSON>) with no
//   authentication. Sent the same request, token header included, it is /me minus the library;
// - GET /me-noop: /me-unprotected behind a middleware that does nothing but put those fields where
//   turnkeyAuth puts the session: what one middleware costs in this framework, library aside;
// - GET /me-header: /me-noop whose middleware first reads the Authorization header the framework's
//   usual way and refuses a request without one: what any bearer middleware pays before its own work;
// - with <extras JSON> `{ "dpop": true }`: GET /me-dpop, /me with `dpop: "optional"`, its proofs
//   naming this server's own origin;
// - with `{ "redisUrl": "redis://…" }`: GET /me-redis, /me whose verifier shares a Redis store.
// Each protected route has its own turnkeyAuth, so its own verifier and cache (in Fastify, each in
// its own encapsulated scope, as one registration decorates one scope).
// Listens on 127.0.0.1 (a free port), reports { port } over IPC, exits when the parent goes.
import { freePort, importEntry, verifyOptions } from "./lib.js";
import { redisStore } from "./redis-server.js";

const [framework, buildDir, notarizerPublicKey, bodyJson, extrasJson = "{}"] = process.argv.slice(2);
const extras = JSON.parse(extrasJson);
const unprotectedSession = JSON.parse(bodyJson);
const options = verifyOptions(notarizerPublicKey);
const fields = ({ userId, organizationId, sessionType, expiresAt }) => ({ userId, organizationId, sessionType, expiresAt });
const { turnkeyAuth } = await importEntry(buildDir, `./${framework}`);

// A DPoP proof's htu names the URL the client called: the port is chosen before the app is built.
const port = await freePort();
const routes = [["/me", options]];
if (extras.dpop) routes.push(["/me-dpop", { ...options, dpop: "optional", dpopOptions: { origin: `http://127.0.0.1:${port}` } }]);
const redis = extras.redisUrl ? await redisStore(extras.redisUrl, buildDir) : undefined;
if (redis !== undefined) routes.push(["/me-redis", { ...options, store: redis.store }]);

async function listen() {
  switch (framework) {
    case "express": {
      const { default: express } = await import("express");
      const app = express();
      const [[path, first], ...others] = routes;
      app.get(path, turnkeyAuth(first), (req, res) => res.json(fields(req.turnkey)));
      app.get("/me-unprotected", (_req, res) => res.json(fields(unprotectedSession)));
      const noop = (req, _res, next) => {
        req.turnkey = unprotectedSession;
        next();
      };
      app.get("/me-noop", noop, (req, res) => res.json(fields(req.turnkey)));
      const header = (req, res, next) => (req.get("authorization") === undefined ? res.sendStatus(401) : noop(req, res, next));
      app.get("/me-header", header, (req, res) => res.json(fields(req.turnkey)));
      for (const [path, each] of others) app.get(path, turnkeyAuth(each), (req, res) => res.json(fields(req.turnkey)));
      const server = app.listen(port, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return;
    }
    case "fastify": {
      const { default: Fastify } = await import("fastify");
      const app = Fastify();
      for (const [path, each] of routes) {
        await app.register(async (scope) => {
          await scope.register(turnkeyAuth, each);
          scope.get(path, { onRequest: scope.turnkey.authenticate() }, async (request) => fields(request.turnkey));
        });
      }
      app.get("/me-unprotected", async () => fields(unprotectedSession));
      // In a scope of its own that decorates request.turnkey, as the plugin does for /me.
      await app.register(async (scope) => {
        scope.decorateRequest("turnkey", null);
        const noop = (request, _reply, done) => {
          request.turnkey = unprotectedSession;
          done();
        };
        scope.get("/me-noop", { onRequest: noop }, async (request) => fields(request.turnkey));
        const header = (request, reply, done) => (request.headers.authorization === undefined ? reply.code(401).send() : noop(request, reply, done));
        scope.get("/me-header", { onRequest: header }, async (request) => fields(request.turnkey));
      });
      await app.listen({ port, host: "127.0.0.1" });
      return;
    }
    case "koa": {
      const [{ default: Koa }, { default: Router }] = await Promise.all([import("koa"), import("@koa/router")]);
      const router = new Router();
      const [[path, first], ...others] = routes;
      router.get(path, turnkeyAuth(first), (ctx) => {
        ctx.body = fields(ctx.state.turnkey);
      });
      router.get("/me-unprotected", (ctx) => {
        ctx.body = fields(unprotectedSession);
      });
      const noop = (ctx, next) => {
        ctx.state.turnkey = unprotectedSession;
        return next();
      };
      router.get("/me-noop", noop, (ctx) => {
        ctx.body = fields(ctx.state.turnkey);
      });
      const header = (ctx, next) => (ctx.get("authorization") === "" ? ctx.throw(401) : noop(ctx, next));
      router.get("/me-header", header, (ctx) => {
        ctx.body = fields(ctx.state.turnkey);
      });
      for (const [path, each] of others) {
        router.get(path, turnkeyAuth(each), (ctx) => {
          ctx.body = fields(ctx.state.turnkey);
        });
      }
      const app = new Koa();
      app.use(router.routes()).use(router.allowedMethods());
      const server = app.listen(port, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return;
    }
    case "hono": {
      const [{ Hono }, { serve }] = await Promise.all([import("hono"), import("@hono/node-server")]);
      const app = new Hono();
      for (const [path, each] of routes) app.get(path, turnkeyAuth(each), (c) => c.json(fields(c.get("turnkey"))));
      app.get("/me-unprotected", (c) => c.json(fields(unprotectedSession)));
      const noop = (c, next) => {
        c.set("turnkey", unprotectedSession);
        return next();
      };
      app.get("/me-noop", noop, (c) => c.json(fields(c.get("turnkey"))));
      const header = (c, next) => (c.req.header("authorization") === undefined ? c.body(null, 401) : noop(c, next));
      app.get("/me-header", header, (c) => c.json(fields(c.get("turnkey"))));
      return new Promise((resolve) => serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve()));
    }
    default:
      throw new Error(`unknown framework ${framework}`);
  }
}

await listen();
await redis?.synced(); // the Redis route's verifier has loaded the revocations: it answers from then on
process.send({ port });
process.on("disconnect", () => process.exit(0));

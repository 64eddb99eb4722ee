import Router from "@koa/router";
import Koa, { type Context } from "koa";
import { turnkeyAuth } from "../../src/adapters/koa.js";
import { organizationFromParam } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";

export function createApp(config: ExampleConfig): Koa {
  const router = createRouter(config);
  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

// @koa/router sets `ctx.params`, which policies such as organizationFromParam read.
export function createRouter(config: ExampleConfig): Router {
  const router = new Router();
  const auth = turnkeyAuth(config.auth);

  router.get("/health", (ctx) => {
    ctx.body = { ok: true };
  });

  // protect(handler) is `auth` wrapped around one handler: one step fewer in the route's chain,
  // which @koa/router composes for every request. `router.get("/me", auth, handler)` works too.
  router.get("/me", auth.protect((ctx) => {
    const { userId, organizationId, sessionType, expiresAt } = ctx.state.turnkey!; // set by `auth`
    ctx.body = { userId, organizationId, sessionType, expiresAt };
  }));

  // Only members of the organization in the URL get in (403 otherwise).
  router.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), (ctx) => {
    ctx.body = { organizationId: ctx.state.turnkey!.organizationId, wallets: [] };
  });

  const { handleFlow } = config;
  if (handleFlow) {
    router.post("/auth/:flow", async (ctx) => {
      const input = await readJson(ctx);
      if (input === TOO_LARGE) {
        ctx.status = 413;
        ctx.body = { error: "body_too_large", message: "The body must be at most 1 MiB" };
        return;
      }
      if (input === undefined) {
        ctx.status = 400;
        ctx.body = { error: "invalid_json", message: "The body must be JSON" };
        return;
      }
      const { status, body } = await handleFlow(ctx.params.flow ?? "", input, { authorization: ctx.get("authorization") });
      ctx.status = status;
      ctx.body = body;
    });
  }

  return router;
}

const TOO_LARGE = Symbol("too large");

// Koa does not parse bodies (koa-bodyparser would). The JSON body; `undefined` if it is not JSON;
// TOO_LARGE as soon as it passes 1 MiB, plenty for a login request (reading stops there).
async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is("application/json")) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1_048_576) return TOO_LARGE;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

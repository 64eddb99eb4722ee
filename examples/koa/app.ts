import Koa, { type Context, type Middleware } from "koa";
import { turnkeyAuth } from "../../src/adapters/koa.js";
import { organizationFromParam } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";

export function createApp(config: ExampleConfig): Koa {
  const app = new Koa();
  const auth = turnkeyAuth(config.auth);

  app.use(route("GET", "/health", (ctx) => {
    ctx.body = { ok: true };
  }));

  app.use(route("GET", "/me", auth, (ctx) => {
    const { userId, organizationId, sessionType, expiresAt } = ctx.state.turnkey!; // set by `auth`
    ctx.body = { userId, organizationId, sessionType, expiresAt };
  }));

  // Only members of the organization in the URL get in (403 otherwise).
  app.use(route("GET", "/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), (ctx) => {
    ctx.body = { organizationId: ctx.state.turnkey!.organizationId, wallets: [] };
  }));

  const { handleFlow } = config;
  if (handleFlow) {
    app.use(route("POST", "/auth/:flow", async (ctx) => {
      const input = await readJson(ctx);
      if (input === undefined) {
        ctx.status = 400;
        ctx.body = { error: "invalid_json", message: "The body must be JSON" };
        return;
      }
      const { status, body } = await handleFlow((ctx as RoutedContext).params.flow ?? "", input);
      ctx.status = status;
      ctx.body = body;
    }));
  }

  return app;
}

// Koa has no router built in; in an app you would use @koa/router, which sets `ctx.params` the
// same way. This stand-in keeps the example free of extra dependencies.
type RoutedContext = Context & { params: Record<string, string> };

function route(method: string, pattern: string, ...handlers: Middleware[]): Middleware {
  const names = [...pattern.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
  const regexp = new RegExp(`^${pattern.replace(/:\w+/g, "([^/]+)")}$`);
  return async (ctx, next) => {
    const match = ctx.method === method ? regexp.exec(ctx.path) : null;
    if (match === null) return next();
    try {
      (ctx as RoutedContext).params = Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? "")]));
    } catch {
      ctx.throw(400, "Malformed URL");
    }
    const run = async (index: number): Promise<void> => handlers[index]?.(ctx, () => run(index + 1));
    await run(0);
  };
}

// Koa does not parse bodies either (koa-bodyparser would); 1 MB is plenty for a login request.
async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is("application/json")) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1_048_576) ctx.throw(413, "Body too large");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

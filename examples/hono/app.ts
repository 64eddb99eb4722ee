import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { turnkeyAuth, type TurnkeyVariables } from "../../src/adapters/hono.js";
import { organizationFromParam } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";

export function createApp(config: ExampleConfig): Hono<{ Variables: TurnkeyVariables }> {
  const app = new Hono<{ Variables: TurnkeyVariables }>();
  const auth = turnkeyAuth(config.auth);

  app.get("/health", (c) => c.json({ ok: true }));

  // protect(handler) is `auth` wrapped around one handler: Hono then skips middleware composition.
  app.get("/me", auth.protect((c) => {
    const { userId, organizationId, sessionType, expiresAt } = c.get("turnkey")!; // set by `auth`
    return c.json({ userId, organizationId, sessionType, expiresAt });
  }));

  // Only members of the organization in the URL get in (403 otherwise).
  app.get("/orgs/:orgId/wallets", auth.with(organizationFromParam("orgId")), (c) =>
    c.json({ organizationId: c.get("turnkey")!.organizationId, wallets: [] }),
  );

  const { handleFlow } = config;
  if (handleFlow) {
    // Counted as the body streams in, before the handler (or the flow name) is looked at.
    const atMost1MiB = bodyLimit({
      maxSize: 1_048_576,
      onError: (c) => c.json({ error: "body_too_large", message: "The body must be at most 1 MiB" }, 413),
    });
    app.post("/auth/:flow", atMost1MiB, async (c) => {
      const input: unknown = await c.req.json().catch(() => undefined);
      if (input === undefined) return c.json({ error: "invalid_json", message: "The body must be JSON" }, 400);
      const { status, body } = await handleFlow(c.req.param("flow"), input, { authorization: c.req.header("authorization") });
      return c.json(body, status as ContentfulStatusCode);
    });
  }

  return app;
}

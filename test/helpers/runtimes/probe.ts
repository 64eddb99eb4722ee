// What the runtime tests (test/runtimes.test.ts) run on Bun, Deno and workerd besides the examples:
// the core and the Hono adapter with a minted token, and the real production token (expired: the
// clock is the one given) through the fetch example app and Hono. Runtime-neutral: each runtime's
// launcher (./bun.ts, ./deno.ts, ./worker.ts) hands it requests and its configuration.
import { Hono } from "hono";
import { turnkeyAuth } from "../../../src/adapters/hono.js";
import { isTurnkeyAuthError, verifySessionJwt, type VerifyOptions } from "../../../src/index.js";
import { createApp } from "../../../examples/fetch/app.js";

export interface ProbeConfig {
  /** The test notarizer's public key, for minted tokens. */
  readonly notarizerPublicKey: string;
  /** The production token's organization and a moment before its expiry (absent: no fixture). */
  readonly production?: { readonly organizationId: string; readonly nowMs: number };
}

function honoApp(options: VerifyOptions): Hono {
  const app = new Hono();
  app.get("/me", turnkeyAuth(options), (c) => c.json({ userId: c.get("turnkey")?.userId, organizationId: c.get("turnkey")?.organizationId }));
  return app;
}

// The core alone: the bearer token verified, the session or the refusal's code.
async function core(request: Request, options: VerifyOptions): Promise<Response> {
  const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
  try {
    const session = await verifySessionJwt(token, options);
    return Response.json({ userId: session.userId, organizationId: session.organizationId });
  } catch (error) {
    return Response.json({ error: isTurnkeyAuthError(error) ? error.code : "not a TurnkeyAuthError" }, { status: 401 });
  }
}

/** Routes `/<app>/<path>`: apps `hono`, `core` (minted tokens), `production-fetch`, `production-hono`, `production-core`. */
export function createProbe(config: ProbeConfig): (request: Request) => Promise<Response> {
  const minted: VerifyOptions = { trustedOrganizations: ["org-1"], notarizerPublicKey: config.notarizerPublicKey };
  const { production } = config;
  const real: VerifyOptions | undefined = production && { trustedOrganizations: [production.organizationId], now: () => production.nowMs };
  const apps: Record<string, (request: Request) => Response | Promise<Response>> = {
    hono: honoApp(minted).fetch,
    core: (request) => core(request, minted),
  };
  if (real !== undefined) {
    apps["production-fetch"] = createApp(real);
    apps["production-hono"] = honoApp(real).fetch;
    apps["production-core"] = (request) => core(request, real);
  }
  return async (request) => {
    const url = new URL(request.url);
    const [, name = "", ...rest] = url.pathname.split("/");
    const app = apps[name];
    if (app === undefined) return Response.json({ error: "no such app" }, { status: 404 });
    return app(new Request(new URL(`/${rest.join("/")}`, url), request));
  };
}

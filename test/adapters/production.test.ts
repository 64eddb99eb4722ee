// Production features through each real framework: observing hooks, an onError that only
// observes, per-route { optional, policies }, sessionOf, and refusals that say what went wrong.
import express from "express";
import { Hono } from "hono";
import Koa from "koa";
import { beforeAll, describe, expect, it } from "vitest";
import { turnkeyAuth as expressAuth } from "../../src/adapters/express.js";
import { turnkeyAuth as honoAuth } from "../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth } from "../../src/adapters/koa.js";
import type { RefusalDetails, TurnkeyAuthError, TurnkeySession } from "../../src/index.js";
import { createFixtures, TRUSTED, type Client, type Fixtures } from "./cases.js";
import { withServer } from "../helpers/adapters/http.js";
import { PRODUCTION_HARNESSES, type ProductionSpec } from "../helpers/adapters/production-apps.js";

const bearer = (token: string) => [["authorization", `Bearer ${token}`]] as const;

describe.each(PRODUCTION_HARNESSES)("$name adapter: in production", (harness) => {
  let f: Fixtures;
  beforeAll(async () => {
    f = await createFixtures();
  });

  const base = () => ({ notarizerPublicKey: f.notarizer.publicKey, trustedOrganizations: [...TRUSTED] });

  async function using<T>(spec: ProductionSpec, use: (client: Client) => Promise<T>): Promise<T> {
    const client = await harness.start(spec);
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  }

  it("tells onAuthenticated and onRefused, with details safe to log, and answers as without them", async () => {
    const authenticated: TurnkeySession[] = [];
    const refused: { error: TurnkeyAuthError; request: unknown; details: RefusalDetails }[] = [];
    const spec: ProductionSpec = {
      options: {
        ...base(),
        onAuthenticated: (session, request) => {
          expect(request).toBeDefined();
          authenticated.push(session);
        },
        onRefused: (error, request, details) => void refused.push({ error, request, details }),
      },
    };
    const valid = await f.token();
    const expired = await f.token({ exp: Math.floor(Date.now() / 1000) - 3600 });
    const untrusted = await f.token({ organization_id: "org-elsewhere", user_id: "user-9" });
    const forged = await f.stranger.sign({ organization_id: "org-1", user_id: "user-1" });
    await using(spec, async (client) => {
      expect((await client.request("/me", bearer(valid))).body).toEqual({ userId: "user-1" });
      expect((await client.request("/me", bearer(expired))).status).toBe(401);
      expect((await client.request("/me", bearer(untrusted))).status).toBe(401);
      expect((await client.request("/me", bearer(forged))).status).toBe(401);
      expect((await client.request("/orgs/org-2/me", bearer(valid))).status).toBe(403);
    });
    // Once: the policy's refusal is no authentication.
    expect(authenticated.map((session) => session.userId)).toEqual(["user-1"]);
    expect(refused.map(({ details }) => details)).toEqual([
      { code: "token_expired", status: 401, message: "The token has expired", organizationId: "org-1", userId: "user-1", unexpected: false },
      { code: "untrusted_organization", status: 401, message: expect.any(String), organizationId: "org-elsewhere", userId: "user-9", unexpected: false },
      // Not signed by the notarizer: its claims are the sender's word, so none are reported.
      { code: "invalid_signature", status: 401, message: expect.any(String), unexpected: false },
      { code: "forbidden", status: 403, message: 'Access denied by policy "organizationFromParam(orgId)"', policy: "organizationFromParam(orgId)", organizationId: "org-1", userId: "user-1", unexpected: false },
    ]);
    expect(refused.every(({ error, request }) => error.code !== undefined && request !== undefined)).toBe(true);
    const logged = JSON.stringify(refused.map(({ details }) => details));
    for (const token of [valid, expired, untrusted, forged]) expect(logged).not.toContain(token.split(".")[2]);
  });

  it("answers the same when a hook throws or rejects", async () => {
    const spec: ProductionSpec = {
      options: {
        ...base(),
        onAuthenticated: () => {
          throw new Error("audit log down");
        },
        onRefused: () => Promise.reject(new Error("audit log down")),
      },
    };
    await using(spec, async (client) => {
      expect((await client.request("/me", bearer(await f.token()))).body).toEqual({ userId: "user-1" });
      const refused = await client.request("/me");
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe("missing_token");
    });
  });

  it.each(["sync", "async"] as const)("answers by default after an onError (%s) that answers nothing", async (silentOnError) => {
    const seen: TurnkeyAuthError[] = [];
    await using({ options: base(), silentOnError, seen }, async (client) => {
      const refused = await client.request("/me", bearer(await f.token({ organization_id: "org-elsewhere" })));
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ error: "untrusted_organization", message: "The session's organization is not trusted by this service" });
      expect(refused.header("www-authenticate")).toMatch(/^Bearer realm="turnkey", error="invalid_token"/);
      expect((await client.request("/me", bearer(await f.token()))).body).toEqual({ userId: "user-1" });
    });
    expect(seen.map((error) => error.code)).toEqual(["untrusted_organization"]);
  });

  it("takes { optional, policies } per route", async () => {
    await using({ options: base() }, async (client) => {
      expect((await client.request("/feed")).body).toEqual({ anonymous: true });
      expect((await client.request("/feed", bearer(await f.token()))).body).toEqual({ userId: "user-1", organizationId: "org-1" });
      // Optional lets a request without a token in, never a bad one.
      expect((await client.request("/feed", bearer(await f.stranger.sign()))).status).toBe(401);
      expect((await client.request("/me")).status).toBe(401);
      expect((await client.request("/orgs/org-1/me", bearer(await f.token()))).status).toBe(200);
      expect((await client.request("/orgs/org-2/me", bearer(await f.token()))).status).toBe(403);
      expect((await client.request("/orgs/org-1/me")).status).toBe(401);
    });
  });

  it("sessionOf throws a clear error where no middleware ran", async () => {
    await using({ options: base() }, async (client) => {
      const reply = await client.request("/unguarded", bearer(await f.token()));
      expect(reply.status).toBe(500);
      expect(reply.body.errorPath).toMatch(/^turnkey-session-auth: sessionOf\((req|request|ctx|c)\) found no session: /);
    });
  });

  it("says where a token was found that it does not read, without echoing it", async () => {
    const token = await f.token();
    await using({ options: base() }, async (client) => {
      for (const authorization of [token, `Token ${token}`, `JWT ${token}`]) {
        const reply = await client.request("/me", [["authorization", authorization]]);
        expect(reply.status).toBe(401);
        expect(reply.body.error).toBe("missing_token");
        expect(reply.body.message).toBe("No session token was presented: the Authorization header does not use the Bearer scheme: send 'Authorization: Bearer <token>'");
        expect(reply.header("www-authenticate")).toBe('Bearer realm="turnkey"');
      }
      const cookie = await client.request("/me", [["cookie", `theme=dark; session=${token}`]]);
      expect(cookie.body.message).toMatch(/a cookie holds what looks like a session token, but this app reads no cookie: set the "cookieName" option$/);
      expect(JSON.stringify(cookie.body)).not.toContain(token.slice(0, 20));
      expect((await client.request("/me", [["cookie", "theme=dark"]])).body.message).toBe("No session token was presented");
    });
    await using({ options: { ...base(), cookieName: "turnkey_session" } }, async (client) => {
      const reply = await client.request("/me", [["cookie", `session=${token}`]]);
      expect(reply.body.message).toMatch(/but not the one this app reads: check the "cookieName" option$/);
    });
  });

  it("says when organizationFromParam's parameter is not on the route", async () => {
    await using({ options: base() }, async (client) => {
      const reply = await client.request("/typo/org-1/me", bearer(await f.token()));
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({
        error: "forbidden",
        message: 'Access denied by policy "organizationFromParam(orgId)": the route has no parameter "orgId" (check its path, and that this middleware is on the route, not app-wide)',
      });
    });
  });
});

describe("an onError that answers keeps its answer", () => {
  it("koa: a status alone is an answer (no default body added)", async () => {
    const f = await createFixtures();
    const app = new Koa();
    app.use(koaAuth({ notarizerPublicKey: f.notarizer.publicKey, trustedOrganizations: [...TRUSTED], onError: (_error, ctx) => void (ctx.status = 404) }));
    app.use((ctx) => void (ctx.body = { reached: true }));
    await withServer(app.callback(), async (server) => {
      const reply = await server.request("/me");
      expect(reply.status).toBe(404);
      expect(reply.body).not.toHaveProperty("error");
    });
  });

  it("express: calling next() is an answer (the app's next handler runs)", async () => {
    const f = await createFixtures();
    const app = express();
    app.use(expressAuth({ notarizerPublicKey: f.notarizer.publicKey, trustedOrganizations: [...TRUSTED], onError: (_error, _req, _res, next) => next() }));
    app.use((_req, res) => void res.status(299).json({ reached: true }));
    await withServer(app, async (server) => {
      const reply = await server.request("/me");
      expect(reply.status).toBe(299);
      expect(reply.body).toEqual({ reached: true });
    });
  });

  it("hono: setting c.res is an answer", async () => {
    const f = await createFixtures();
    const app = new Hono();
    app.use(honoAuth({ notarizerPublicKey: f.notarizer.publicKey, trustedOrganizations: [...TRUSTED], onError: (_error, c) => void (c.res = new Response("login first", { status: 302, headers: { location: "/login" } })) }));
    app.get("/me", (c) => c.text("reached"));
    const reply = await app.request("/me");
    expect(reply.status).toBe(302);
    expect(reply.headers.get("location")).toBe("/login");
  });
});

import Koa from "koa";
import { describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/koa.js";
import { definePolicy, organizationFromParam, requireUser } from "../../src/index.js";
import { koaApp } from "../helpers/adapters/app-helpers.js";
import { createFixtures, expectWithToReuseOnlyItsOwnSessions, identityOf, runAdapterSuite, specFor } from "./cases.js";
import { listen, withServer } from "../helpers/adapters/http.js";
import { koaPathApp } from "../helpers/adapters/path-apps.js";
import { runPathSuite } from "./path-cases.js";

runAdapterSuite({ name: "koa", start: async (spec, probe) => listen(koaApp(spec, probe).callback()) });
// The same table with /whoami mounted as auth.protect(handler): one step fewer in the route's chain.
runAdapterSuite({ name: "koa protect()", start: async (spec, probe) => listen(koaApp(spec, probe, undefined, "protect").callback()) });
runPathSuite({
  name: "koa",
  start: koaPathApp,
  routers: [
    { label: "@koa/router's defaults" },
    { label: "new Router({ sensitive: true, strict: true }), said with pathMatching", router: { caseSensitive: true, strict: true }, pathMatching: { caseSensitive: true, strict: true } },
  ],
});

describe("koa adapter: specifics", () => {
  it("protect(handler) runs the handler only for an admitted request, with its session, and checks its argument", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    const app = new Koa();
    let handled = 0;
    app.use(auth.protect((ctx) => {
      handled += 1;
      ctx.body = { userId: ctx.state.turnkey?.userId };
    }));
    await withServer(app.callback(), async (server) => {
      const refused = await server.request("/me");
      expect(refused.status).toBe(401);
      expect(refused.header("www-authenticate")).toBe('Bearer realm="turnkey"');
      expect(handled).toBe(0);
      const admitted = await server.request("/me", [["authorization", `Bearer ${await f.token()}`]]);
      expect(admitted.status).toBe(200);
      expect(admitted.body).toEqual({ userId: "user-1" });
      expect(handled).toBe(1);
    });
    expect(() => auth.protect("handler" as never)).toThrow(TypeError);
  });

  it("a forwarded error carries status, its challenge in the configured realm, and expose (4xx shown, 5xx hidden) for Koa's default handler", async () => {
    const f = await createFixtures();
    const app = new Koa();
    app.silent = true;
    const thrown = definePolicy("lookupOwner", () => {
      throw new Error("database down");
    });
    app.use(turnkeyAuth({ ...specFor(f).options, forwardErrors: true, realm: "wallets-api", policies: [thrown] }));
    app.use((ctx) => {
      ctx.body = { reached: true };
    });
    await withServer(app.callback(), async (server) => {
      const missing = await server.request("/");
      expect(missing.status).toBe(401);
      expect(missing.body).toBe("No session token was presented");
      expect(missing.header("www-authenticate")).toBe('Bearer realm="wallets-api"');
      const broken = await server.request("/", [["authorization", `Bearer ${await f.token()}`]]);
      expect(broken.status).toBe(503);
      expect(broken.body).toBe("Service Unavailable");
    });
  });

  it("without a router, route params are empty: organizationFromParam denies (403), never 500", async () => {
    const f = await createFixtures();
    const app = new Koa();
    app.use(turnkeyAuth({ ...specFor(f).options, policies: [organizationFromParam("orgId")] }));
    app.use((ctx) => {
      ctx.body = { reached: true };
    });
    await withServer(app.callback(), async (server) => {
      const reply = await server.request("/orgs/org-1/whoami", [["authorization", `Bearer ${await f.token()}`]]);
      expect(reply.status).toBe(403);
    });
  });

  it("with() reuses only sessions its own instance verified, never another turnkeyAuth's", async () => {
    const f = await createFixtures();
    const everyone = turnkeyAuth(specFor(f).options);
    const admins = turnkeyAuth({ ...specFor(f).options, policies: [requireUser("admin")] });
    const app = new Koa();
    app.use(everyone);
    app.use(admins.with());
    app.use((ctx) => {
      ctx.body = identityOf(ctx.state.turnkey);
    });
    await withServer(app.callback(), (server) => expectWithToReuseOnlyItsOwnSessions(server, "/", f));
  });

  it("exposes the verifier and refuses bad options before serving", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    expect(auth.verifier.notarizerPublicKey).toBe(f.notarizer.publicKey);
    expect(() => auth.with(null as never)).toThrow(TypeError);
    expect(() => turnkeyAuth({ ...specFor(f).options, onError: 1 as never })).toThrow(/onError/);
    expect(() => turnkeyAuth({ ...specFor(f).options, pathMatching: "sensitive" as never })).toThrow(/"pathMatching"/);
  });
});

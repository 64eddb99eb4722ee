import Fastify, { type FastifyServerOptions } from "fastify";
import { describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/fastify.js";
import { definePolicy, requireUser } from "../../src/index.js";
import { fastifyApp, injectClient } from "../helpers/adapters/app-helpers.js";
import { createFixtures, identityOf, runAdapterSuite, specFor } from "./cases.js";
import { fastifyPathApp } from "../helpers/adapters/path-apps.js";
import { runPathSuite } from "./path-cases.js";

runAdapterSuite({ name: "fastify", start: async (spec, probe) => injectClient(await fastifyApp(spec, probe)) });
// No pathMatching: the adapter reads the router's settings from the instance.
runPathSuite({
  name: "fastify",
  start: fastifyPathApp,
  routers: [
    { label: "Fastify's defaults" },
    { label: "routerOptions caseSensitive false, ignoreTrailingSlash, ignoreDuplicateSlashes, useSemicolonDelimiter", router: { caseSensitive: false, strict: false, mergeSlashes: true, semicolonEndsPath: true } },
  ],
});

describe("fastify adapter: specifics", () => {
  it("Fastify's default error handler answers a forwarded error with its status and challenge, in the configured realm", async () => {
    const f = await createFixtures();
    const app = Fastify();
    await app.register(turnkeyAuth, { ...specFor(f).options, forwardErrors: true, realm: "wallets-api", global: true });
    app.get("/whoami", async () => ({ reached: true }));
    const reply = await app.inject({ url: "/whoami", headers: { authorization: `Bearer ${await f.token({}, { expiresInSeconds: -60 })}` } });
    expect(reply.statusCode).toBe(401);
    expect(reply.headers["www-authenticate"]).toMatch(/^Bearer realm="wallets-api", error="invalid_token", error_description="The token has expired"$/);
    await app.close();
  });

  it("is a fastify-plugin named turnkey-session-auth for Fastify 5, not encapsulated", () => {
    const plugin = turnkeyAuth as unknown as Record<symbol, unknown>;
    expect(plugin[Symbol.for("skip-override")]).toBe(true);
    expect(plugin[Symbol.for("plugin-meta")]).toMatchObject({ name: "turnkey-session-auth", fastify: "5.x" });
  });

  it("request.turnkey is null on routes no hook protects, and authenticate() also works as a preHandler", async () => {
    const f = await createFixtures();
    const app = Fastify();
    await app.register(turnkeyAuth, specFor(f).options);
    app.get("/open", async (request) => ({ turnkey: request.turnkey }));
    app.get("/admin", { preHandler: app.turnkey.authenticate([requireUser("admin")]) }, async (request) => identityOf(request.turnkey));
    const token = await f.token({ user_id: "admin" });
    const open = await app.inject({ url: "/open", headers: { authorization: `Bearer ${token}` } });
    expect(open.json()).toEqual({ turnkey: null });
    const admin = await app.inject({ url: "/admin", headers: { authorization: `Bearer ${token}` } });
    expect(admin.json()).toEqual({ userId: "admin", organizationId: "org-1" });
    const other = await app.inject({ url: "/admin", headers: { authorization: `Bearer ${await f.token()}` } });
    expect(other.statusCode).toBe(403);
    await app.close();
  });

  it("Fastify's default error handler answers a forwarded error with its statusCode", async () => {
    const f = await createFixtures();
    const app = Fastify();
    await app.register(turnkeyAuth, { ...specFor(f).options, global: true, forwardErrors: true });
    app.get("/whoami", async () => ({ reached: true }));
    const response = await app.inject({ url: "/whoami" });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ statusCode: 401, message: "No session token was presented" });
    await app.close();
  });

  it("a refusal holds the lifecycle even behind an async onSend hook", async () => {
    const f = await createFixtures();
    const app = Fastify();
    let handled = 0;
    app.addHook("onSend", async (_request, _reply, payload) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return payload;
    });
    await app.register(turnkeyAuth, { ...specFor(f).options, global: true });
    app.get("/whoami", async () => {
      handled += 1;
      return { reached: true };
    });
    const response = await app.inject({ url: "/whoami" });
    expect(response.statusCode).toBe(401);
    expect(handled).toBe(0);
    await app.close();
  });

  // initialConfig fills in both forms of a router setting, so a top-level one (deprecated) beside
  // routerOptions reads as off in routerOptions although the router takes it: either form counts.
  it("reads the router's settings from the instance, in their deprecated top-level form too", async () => {
    const f = await createFixtures();
    const seen: string[] = [];
    const app = Fastify({ caseSensitive: false, ignoreTrailingSlash: true, routerOptions: { maxParamLength: 200 } } as FastifyServerOptions);
    await app.register(turnkeyAuth, { ...specFor(f).options, global: true, policies: [definePolicy("record", ({ request }) => (seen.push(request.path), true))] });
    app.get("/admin/:page", async (request) => request.params);
    const authorization = `Bearer ${await f.token()}`;
    for (const url of ["/admin/x", "/ADMIN/x/"]) expect((await app.inject({ url, headers: { authorization } })).json(), url).toEqual({ page: "x" });
    expect(seen).toEqual(["/admin/x", "/admin/x"]);
    await app.close();
  });

  it("exposes the verifier and refuses bad options when the plugin loads", async () => {
    const f = await createFixtures();
    const app = Fastify();
    await app.register(turnkeyAuth, specFor(f).options);
    expect(app.turnkey.verifier.notarizerPublicKey).toBe(f.notarizer.publicKey);
    expect(() => app.turnkey.authenticate("orgId" as never)).toThrow(TypeError);
    await app.close();
    const broken = Fastify();
    await expect(broken.register(turnkeyAuth, {} as never).ready()).rejects.toThrow(/trustedOrganizations/);
    const mistyped = Fastify();
    await expect(mistyped.register(turnkeyAuth, { ...specFor(f).options, pathMatching: { caseSensitive: 0 } as never }).ready()).rejects.toThrow(/"pathMatching"/);
  });
});

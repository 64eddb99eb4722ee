import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { turnkeyAuth, type FastifyTurnkeyAuthOptions } from "../../src/adapters/fastify.js";
import { organizationFromParam, requireUser } from "../../src/index.js";
import { CUSTOM_ONERROR_STATUS, createFixtures, errorPathAnswer, identityOf, Probe, runAdapterSuite, specFor, type AppSpec, type Client, type HeaderPairs, type Harness } from "./cases.js";
import { replyOf } from "./http.js";

function optionsFor(spec: AppSpec): FastifyTurnkeyAuthOptions {
  const options: FastifyTurnkeyAuthOptions = { ...spec.options, global: spec.global };
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (request) => request.headers[tokenHeader] as string | undefined;
  if (spec.customOnError) options.onError = (error, _request, reply) => reply.code(CUSTOM_ONERROR_STATUS).send({ custom: error.code });
  return options;
}

/** light-my-request sends an array value as that header repeated, as Node would receive it. */
function headersObject(headers: HeaderPairs = []): Record<string, string | string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of headers) (grouped[name] ??= []).push(value);
  return Object.fromEntries(Object.entries(grouped).map(([name, values]) => [name, values.length === 1 ? (values[0] as string) : values]));
}

function client(app: FastifyInstance): Client {
  return {
    async request(path, headers) {
      const response = await app.inject({ method: "GET", url: path, headers: headersObject(headers) });
      return replyOf(response.statusCode, response.headers, response.body);
    },
    close: () => app.close(),
  };
}

async function buildApp(spec: AppSpec, probe: Probe): Promise<FastifyInstance> {
  const app = Fastify();
  // Fastify's error path: what a hook throws lands here.
  app.setErrorHandler((error, _request, reply) => {
    probe.errors.push(error);
    const answer = errorPathAnswer(error);
    return reply.code(answer.status).send(answer.body);
  });
  await app.register(turnkeyAuth, optionsFor(spec));
  const whoami = async (request: FastifyRequest) => {
    probe.handled += 1;
    return identityOf(request.turnkey);
  };
  if (spec.global) app.get("/whoami", whoami);
  else app.get("/whoami", { onRequest: app.turnkey.authenticate() }, whoami);
  app.get("/orgs/:orgId/whoami", { onRequest: app.turnkey.authenticate([organizationFromParam("orgId")]) }, whoami);
  await app.ready();
  return app;
}

const harness: Harness = {
  name: "fastify",
  start: async (spec, probe) => client(await buildApp(spec, probe)),
};

runAdapterSuite(harness);

describe("fastify adapter: specifics", () => {
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

  it("exposes the verifier and refuses bad options when the plugin loads", async () => {
    const f = await createFixtures();
    const app = Fastify();
    await app.register(turnkeyAuth, specFor(f).options);
    expect(app.turnkey.verifier.notarizerPublicKey).toBe(f.notarizer.publicKey);
    expect(() => app.turnkey.authenticate("orgId" as never)).toThrow(TypeError);
    await app.close();
    const broken = Fastify();
    await expect(broken.register(turnkeyAuth, {} as never).ready()).rejects.toThrow(/trustedOrganizations/);
  });
});

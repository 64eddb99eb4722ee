import type { Meter } from "@opentelemetry/api";
import type { Request as ExpressRequest } from "express";
import Fastify, { type FastifyRequest, type onRequestHookHandler } from "fastify";
import type { Context as HonoContext, MiddlewareHandler } from "hono";
import type { Context as KoaContext, Middleware as KoaMiddleware } from "koa";
import { describe, expectTypeOf, it } from "vitest";
import { sessionOf as expressSession, turnkeyAuth as expressAuth, type ExpressTurnkeyAuthOptions } from "../../src/adapters/express.js";
import { sessionOf as fastifySession, turnkeyAuth as fastifyAuth } from "../../src/adapters/fastify.js";
import { sessionOf as honoSession, turnkeyAuth as honoAuth } from "../../src/adapters/hono.js";
import { sessionOf as koaSession, turnkeyAuth as koaAuth } from "../../src/adapters/koa.js";
import {
  createSessionVerifier,
  organizationFromParam,
  type MeterLike,
  type RefusalDetails,
  type TurnkeyAuthError,
  type TurnkeySession,
  type VerifyOptions,
} from "../../src/index.js";

const options = { trustedOrganizations: "any" } as const;

describe("sessionOf", () => {
  it("returns a TurnkeySession (never undefined) from each framework's request", () => {
    expectTypeOf(expressSession).parameter(0).toEqualTypeOf<ExpressRequest>();
    expectTypeOf(expressSession).returns.toEqualTypeOf<TurnkeySession>();
    expectTypeOf(fastifySession).parameter(0).toEqualTypeOf<FastifyRequest>();
    expectTypeOf(fastifySession).returns.toEqualTypeOf<TurnkeySession>();
    expectTypeOf(koaSession).returns.toEqualTypeOf<TurnkeySession>();
    expectTypeOf<KoaContext>().toExtend<Parameters<typeof koaSession>[0]>();
    expectTypeOf(honoSession).parameter(0).toEqualTypeOf<HonoContext>();
    expectTypeOf(honoSession).returns.toEqualTypeOf<TurnkeySession>();
  });
});

describe("per-route options, one shape in every adapter", () => {
  it("with({ optional, policies }) next to with(...policies)", () => {
    expectTypeOf(expressAuth(options).with({ optional: true })).toBeFunction();
    expectTypeOf(koaAuth(options).with({ policies: [organizationFromParam("orgId")] })).toEqualTypeOf<KoaMiddleware>();
    expectTypeOf(honoAuth(options).with({ optional: true, policies: [] })).toExtend<MiddlewareHandler>();
    // @ts-expect-error optional is a boolean
    expressAuth(options).with({ optional: "yes" });
  });

  it("Fastify's authenticate() takes the same object", async () => {
    const app = Fastify();
    await app.register(fastifyAuth, options);
    expectTypeOf(app.turnkey.authenticate({ optional: true })).toEqualTypeOf<onRequestHookHandler>();
    expectTypeOf(app.turnkey.authenticate([organizationFromParam("orgId")])).toEqualTypeOf<onRequestHookHandler>();
  });
});

describe("hooks", () => {
  it("get the session or the refusal, the framework's request, and details without the token", () => {
    expressAuth({
      ...options,
      onAuthenticated: (session, req) => {
        expectTypeOf(session).toEqualTypeOf<TurnkeySession>();
        expectTypeOf(req).toEqualTypeOf<ExpressRequest>();
      },
      onRefused: (error, req, details) => {
        expectTypeOf(error).toEqualTypeOf<TurnkeyAuthError>();
        expectTypeOf(req).toEqualTypeOf<ExpressRequest>();
        expectTypeOf(details).toEqualTypeOf<RefusalDetails>();
      },
    });
    expectTypeOf<RefusalDetails>().not.toHaveProperty("token");
    expectTypeOf<NonNullable<ExpressTurnkeyAuthOptions["onError"]>>().returns.toEqualTypeOf<void | Promise<void>>();
  });
});

describe("verifier options", () => {
  it("notarizerPublicKey takes one key or several", () => {
    expectTypeOf<{ trustedOrganizations: "any"; notarizerPublicKey: string[] }>().toExtend<VerifyOptions>();
    expectTypeOf<{ trustedOrganizations: "any"; notarizerPublicKey: number }>().not.toExtend<VerifyOptions>();
  });

  it("meter takes @opentelemetry/api's Meter", () => {
    expectTypeOf<Meter>().toExtend<MeterLike>();
    expectTypeOf(createSessionVerifier).toBeCallableWith({ trustedOrganizations: "any", meter: {} as Meter });
  });
});

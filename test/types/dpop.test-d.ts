import type { RequestHandler } from "express";
import Fastify, { type onRequestHookHandler } from "fastify";
import { describe, expectTypeOf, it } from "vitest";
import { turnkeyAuth as expressAuth } from "../../src/adapters/express.js";
import { turnkeyAuth as fastifyAuth } from "../../src/adapters/fastify.js";
import { turnkeyAuth as honoAuth } from "../../src/adapters/hono.js";
import { turnkeyAuth as koaAuth } from "../../src/adapters/koa.js";
import { createDpopProof, dpopFetch, type DpopProofOptions } from "../../src/client/index.js";
import { requireReadWrite, TurnkeyAuthError, type DpopMode, type DpopNonceOptions, type DpopOptions, type TurnkeyAuthErrorCode, type TurnkeyAuthScheme } from "../../src/index.js";

const options = { trustedOrganizations: "any", dpop: "optional", dpopOptions: { origin: "https://api.example.com" } } as const;

describe("DPoP options", () => {
  it("dpop is 'required' | 'optional'; routes take route options first", () => {
    expectTypeOf<DpopMode>().toEqualTypeOf<"required" | "optional">();
    expectTypeOf(expressAuth(options).with({ dpop: "required" }, requireReadWrite())).toExtend<RequestHandler>();
    koaAuth(options).with({ dpop: "required" });
    honoAuth(options).with({ dpop: "optional" }, requireReadWrite());
    // @ts-expect-error not a DPoP mode
    expressAuth({ ...options, dpop: "always" });
    // @ts-expect-error route options come first
    expressAuth(options).with(requireReadWrite(), { dpop: "required" });
  });

  it("Fastify's route hook takes route options after the policies", async () => {
    const app = Fastify();
    await app.register(fastifyAuth, options);
    expectTypeOf(app.turnkey.authenticate([], { dpop: "required" })).toEqualTypeOf<onRequestHookHandler>();
  });

  it("the error codes and challenge schemes include DPoP's", () => {
    expectTypeOf<"dpop_replayed">().toExtend<TurnkeyAuthErrorCode>();
    expectTypeOf<"invalid_dpop_proof">().toExtend<TurnkeyAuthErrorCode>();
    expectTypeOf<TurnkeyAuthScheme>().toEqualTypeOf<"Bearer" | "DPoP" | "Bearer DPoP">();
  });
});

describe("DPoP server nonces", () => {
  it("nonce is a boolean or { secret, lifetimeSeconds }; the error carries dpopNonce", () => {
    expectTypeOf<DpopOptions["nonce"]>().toEqualTypeOf<boolean | DpopNonceOptions | undefined>();
    expectTypeOf<DpopNonceOptions["secret"]>().toEqualTypeOf<string | Uint8Array | undefined>();
    expectTypeOf<DpopNonceOptions["lifetimeSeconds"]>().toEqualTypeOf<number | undefined>();
    expressAuth({ ...options, dpopOptions: { origin: "https://api.example.com", nonce: { secret: "s".repeat(32) } } });
    expressAuth({ ...options, dpopOptions: { origin: "https://api.example.com", nonce: true } });
    // @ts-expect-error the secret is a string or bytes
    expressAuth({ ...options, dpopOptions: { origin: "https://api.example.com", nonce: { secret: 42 } } });
    expectTypeOf<"use_dpop_nonce">().toExtend<TurnkeyAuthErrorCode>();
    expectTypeOf<TurnkeyAuthError["dpopNonce"]>().toEqualTypeOf<string | undefined>();
  });
});

describe("turnkey-session-auth/client", () => {
  it("createDpopProof resolves a string; sign may answer hex or bytes; dpopFetch is a fetch", () => {
    expectTypeOf(createDpopProof).returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<NonNullable<DpopProofOptions["sign"]>>().returns.toEqualTypeOf<string | Uint8Array | Promise<string | Uint8Array>>();
    expectTypeOf(dpopFetch({ token: "t", sign: async () => "00" })).returns.toEqualTypeOf<Promise<Response>>();
  });
});

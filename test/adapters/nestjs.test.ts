import "reflect-metadata";
import { Catch, Controller, Get, Module, UseGuards, type ArgumentsHost, type ExceptionFilter, type LoggerService } from "@nestjs/common";
import { APP_GUARD } from "@nestjs/core";
import express from "express";
import { ExpressAdapter } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  RequirePolicies,
  TurnkeyAuthenticators,
  TurnkeyAuthException,
  TurnkeyAuthGuard,
  TurnkeyAuthModule,
  TurnkeyOptional,
  TurnkeyPublic,
  TurnkeySession,
} from "../../src/adapters/nestjs/index.js";
import { createSessionVerifier, definePolicy, type Policy } from "../../src/index.js";
import { createFixtures, identityOf, runAdapterSuite, specFor, type Fixtures, type HeaderPairs } from "./cases.js";
import type { Reply } from "../../examples/nestjs/body-errors.js";
import { createNestApp, listenNest, nestOptionsFor, PLATFORMS, startNestApp } from "../helpers/adapters/nestjs-app.js";

for (const platform of PLATFORMS) {
  runAdapterSuite({
    name: `nestjs (${platform})`,
    start: (spec, probe) => startNestApp(platform, spec, probe),
    // Nest answers through exception filters: there is no onError or forwardErrors to choose.
    supports: (spec) => !spec.customOnError && spec.options.forwardErrors !== true,
  });
}

/** The policies that ran, by name, in order. */
const ran: string[] = [];
const recorded = (name: string): Policy => definePolicy(name, ({ session }) => (ran.push(name), session.userId !== "blocked"));

@Controller("things")
@RequirePolicies(recorded("controller"))
class ThingsController {
  @Get("mine")
  @RequirePolicies(recorded("route-1"))
  @RequirePolicies(recorded("route-2"))
  mine(@TurnkeySession("userId") userId: string): object {
    return { userId };
  }
}

@Controller("open")
@TurnkeyPublic()
class OpenController {
  @Get()
  open(@TurnkeySession() session?: TurnkeySession): object {
    return { open: true, session: session ?? null };
  }

  @Get("feed")
  @TurnkeyOptional()
  feed(@TurnkeySession() session?: TurnkeySession): object {
    return identityOf(session);
  }
}

const bearer = (token: string): HeaderPairs => [["authorization", `Bearer ${token}`]];

describe.each(PLATFORMS)("nestjs (%s): decorators and module", (platform) => {
  let f: Fixtures;
  beforeAll(async () => {
    f = await createFixtures();
  });

  async function start(imports = [TurnkeyAuthModule.forRoot(nestOptionsFor(specFor(f)))]) {
    return listenNest(await createNestApp(platform, { imports, controllers: [ThingsController, OpenController], global: true }));
  }

  it("runs the controller's policies, then the route's in the order written, after the module's; @TurnkeySession(field) injects one field", async () => {
    const client = await start([TurnkeyAuthModule.forRoot({ ...nestOptionsFor(specFor(f)), policies: [recorded("module")] })]);
    try {
      ran.length = 0;
      const reply = await client.request("/things/mine", bearer(await f.token()));
      expect(reply.body).toEqual({ userId: "user-1" });
      expect(ran).toEqual(["module", "controller", "route-1", "route-2"]);
      const blocked = await client.request("/things/mine", bearer(await f.token({ user_id: "blocked" })));
      expect(blocked.status).toBe(403);
      expect(blocked.body).toEqual({ error: "forbidden", message: expect.stringContaining('"module"') });
      expect(blocked.header("www-authenticate")).toMatch(/^Bearer realm="turnkey", error="insufficient_scope"/);
    } finally {
      await client.close();
    }
  });

  it("@TurnkeyPublic(): every request passes, unauthenticated, even with an expired token", async () => {
    const client = await start();
    try {
      expect((await client.request("/open")).body).toEqual({ open: true, session: null });
      const expired = await client.request("/open", bearer(await f.token({}, { expiresInSeconds: -60 })));
      expect(expired).toMatchObject({ status: 200, body: { open: true, session: null } });
      expect(expired.header("www-authenticate")).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it("@TurnkeyOptional() on a route of a public controller: anonymous passes, a valid token attaches its session, an invalid one is refused", async () => {
    const client = await start();
    try {
      expect((await client.request("/open/feed")).body).toEqual({ anonymous: true });
      expect((await client.request("/open/feed", bearer(await f.token()))).body).toEqual({ userId: "user-1", organizationId: "org-1" });
      const expired = await client.request("/open/feed", bearer(await f.token({}, { expiresInSeconds: -60 })));
      expect(expired).toMatchObject({ status: 401, body: { error: "token_expired" } });
      expect(expired.header("www-authenticate")).toMatch(/^Bearer realm="turnkey", error="invalid_token"/);
    } finally {
      await client.close();
    }
  });

  it("forRootAsync builds the options with a factory from an imported module's provider", async () => {
    const SETTINGS = Symbol("settings");
    @Module({ providers: [{ provide: SETTINGS, useValue: { organization: "org-2", key: f.notarizer.publicKey } }], exports: [SETTINGS] })
    class SettingsModule {}
    const client = await start([
      TurnkeyAuthModule.forRootAsync({
        imports: [SettingsModule],
        inject: [SETTINGS],
        useFactory: async (settings: { organization: string; key: string }) => ({ trustedOrganizations: [settings.organization], notarizerPublicKey: settings.key }),
      }),
    ]);
    try {
      expect((await client.request("/things/mine", bearer(await f.token({ organization_id: "org-2" })))).body).toEqual({ userId: "user-1" });
      expect((await client.request("/things/mine", bearer(await f.token()))).body.error).toBe("untrusted_organization");
    } finally {
      await client.close();
    }
  });

  it("isGlobal: a feature module's controller uses the guard without importing the module", async () => {
    @Controller("feature")
    @UseGuards(TurnkeyAuthGuard)
    class FeatureController {
      @Get()
      get(@TurnkeySession() session: TurnkeySession): object {
        return identityOf(session);
      }
    }
    @Module({ controllers: [FeatureController] })
    class FeatureModule {}
    const app = await createNestApp(platform, { imports: [TurnkeyAuthModule.forRoot({ ...nestOptionsFor(specFor(f)), isGlobal: true }), FeatureModule] });
    const client = await listenNest(app);
    try {
      expect((await client.request("/feature", bearer(await f.token()))).body).toEqual({ userId: "user-1", organizationId: "org-1" });
      expect((await client.request("/feature")).status).toBe(401);
    } finally {
      await client.close();
    }
  });

  it("an exception filter sees the TurnkeyAuthException, and the challenge stays on the response", async () => {
    @Catch(TurnkeyAuthException)
    class AuthErrorFilter implements ExceptionFilter {
      catch(exception: TurnkeyAuthException, host: ArgumentsHost) {
        const { code, message } = exception.turnkeyError;
        host.switchToHttp().getResponse<Reply>().status(exception.getStatus()).send({ errors: [{ code, detail: message }] });
      }
    }
    const app = await createNestApp(platform, { imports: [TurnkeyAuthModule.forRoot(nestOptionsFor(specFor(f)))], controllers: [ThingsController], global: true });
    app.useGlobalFilters(new AuthErrorFilter());
    const client = await listenNest(app);
    try {
      const reply = await client.request("/things/mine");
      expect(reply).toMatchObject({ status: 401, body: { errors: [{ code: "missing_token", detail: "No session token was presented" }] } });
      expect(reply.header("www-authenticate")).toBe('Bearer realm="turnkey"');
      const denied = await client.request("/things/mine", bearer(await f.token({ user_id: "blocked" })));
      expect(denied).toMatchObject({ status: 403, body: { errors: [{ code: "forbidden" }] } });
    } finally {
      await client.close();
    }
  });
});

describe("nestjs: policies see request.path as the platform's router matched it", () => {
  const seen: string[] = [];
  @Controller()
  class MixedCaseController {
    @Get("Mixed/Case")
    @RequirePolicies(definePolicy("recordPath", ({ request }) => (seen.push(request.path), true)))
    mixed(): object {
      return { ok: true };
    }
  }

  it.each([
    ["express", "Express's defaults (case-insensitive)", () => new ExpressAdapter(), "/mixed/case"],
    // Set before the adapter is made: the app's router takes the settings it finds when created.
    ["express", '"case sensitive routing"', () => new ExpressAdapter(express().set("case sensitive routing", true)), "/Mixed/Case"],
    ["fastify", "Fastify's defaults (case-sensitive)", () => new FastifyAdapter(), "/Mixed/Case"],
    ["fastify", "caseSensitive: false", () => new FastifyAdapter({ routerOptions: { caseSensitive: false } }), "/mixed/case"],
  ] as const)("%s, %s", async (_platform, _label, adapter, expected) => {
    const f = await createFixtures();
    const moduleRef = await Test.createTestingModule({
      imports: [TurnkeyAuthModule.forRoot(nestOptionsFor(specFor(f)))],
      controllers: [MixedCaseController],
      providers: [{ provide: APP_GUARD, useClass: TurnkeyAuthGuard }],
    }).compile();
    const app = moduleRef.createNestApplication(adapter(), { logger: false });
    const client = await listenNest(app);
    try {
      seen.length = 0;
      expect((await client.request("/Mixed/Case", bearer(await f.token()))).body).toEqual({ ok: true });
      expect(seen).toEqual([expected]);
    } finally {
      await client.close();
    }
  });
});

describe("nestjs: the module's set-up", () => {
  it("refuses bad options when the module is created, naming the option (TypeError)", async () => {
    const f = await createFixtures();
    const compile = (options: object) => Test.createTestingModule({ imports: [TurnkeyAuthModule.forRoot(options as never)] }).compile();
    await expect(compile({ notarizerPublicKey: f.notarizer.publicKey })).rejects.toThrow(/trustedOrganizations/);
    await expect(compile({ ...specFor(f).options, cookieName: "a b" })).rejects.toThrow(/"cookieName"/);
    await expect(compile({ ...specFor(f).options, forwardErrors: true })).rejects.toThrow(/"forwardErrors" does not apply to NestJS/);
    await expect(compile({ ...specFor(f).options, onError: () => {} })).rejects.toThrow(TypeError);
  });

  it("injects without decorator metadata (this test file is compiled without it), and shares one verifier", async () => {
    expect(Reflect.getMetadata("design:paramtypes", TurnkeyAuthGuard)).toBeUndefined();
    expect(Reflect.getMetadata("design:paramtypes", TurnkeyAuthenticators)).toBeUndefined();
    const f = await createFixtures();
    const verifier = createSessionVerifier(specFor(f).options);
    const moduleRef = await Test.createTestingModule({ imports: [TurnkeyAuthModule.forRoot({ verifier })] }).compile();
    expect(moduleRef.get(TurnkeyAuthenticators).verifier).toBe(verifier);
    expect(moduleRef.get(TurnkeyAuthGuard)).toBeInstanceOf(TurnkeyAuthGuard);
  });

  it("logs a policy that throws through Nest's logger (never the token), and answers 503", async () => {
    const f = await createFixtures();
    const logged: string[] = [];
    const logger: LoggerService = { log: () => {}, warn: () => {}, error: (...parts: unknown[]) => void logged.push(parts.map(String).join(" ")) };
    const failing = definePolicy("lookupOwner", () => {
      throw new Error("database down");
    });
    const moduleRef = await Test.createTestingModule({
      imports: [TurnkeyAuthModule.forRoot({ ...nestOptionsFor(specFor(f)), policies: [failing] })],
      controllers: [ThingsController],
      providers: [{ provide: APP_GUARD, useExisting: TurnkeyAuthGuard }],
    }).compile();
    const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger });
    const client = await listenNest(app);
    try {
      const token = await f.token();
      const reply = await client.request("/things/mine", bearer(token));
      expect(reply).toMatchObject({ status: 503, body: { error: "unavailable" } });
      expect(reply.header("www-authenticate")).toBeUndefined();
      const report = logged.join("\n");
      expect(report).toContain("database down");
      expect(report).not.toContain(token.split(".")[2]);
    } finally {
      await client.close();
    }
  });
});

import "reflect-metadata";
import { Body, Controller, Get, Headers, Inject, Param, Post, Res, type DynamicModule, type INestApplication } from "@nestjs/common";
import { APP_FILTER, APP_GUARD, NestFactory } from "@nestjs/core";
import { ExpressAdapter, type NestExpressApplication } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { RequirePolicies, TurnkeyAuthGuard, TurnkeyAuthModule, TurnkeyPublic, TurnkeySession } from "../../src/adapters/nestjs/index.js";
import { organizationFromParam } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";
import { BodyErrorsFilter, type Reply } from "./body-errors.js";

@Controller()
class AccountController {
  @Get("health")
  @TurnkeyPublic()
  health() {
    return { ok: true };
  }

  @Get("me")
  me(@TurnkeySession() session: TurnkeySession) {
    const { userId, organizationId, sessionType, expiresAt } = session;
    return { userId, organizationId, sessionType, expiresAt };
  }

  // Only members of the organization in the URL get in (403 otherwise).
  @Get("orgs/:orgId/wallets")
  @RequirePolicies(organizationFromParam("orgId"))
  wallets(@TurnkeySession("organizationId") organizationId: string) {
    return { organizationId, wallets: [] };
  }
}

const HANDLE_FLOW = Symbol("handleFlow");
type HandleFlow = NonNullable<ExampleConfig["handleFlow"]>;

// The login flows are how a user gets a session: public.
@Controller("auth")
@TurnkeyPublic()
class FlowController {
  // Named tokens, so this also runs where decorator metadata is not emitted (tsx, vitest).
  constructor(@Inject(HANDLE_FLOW) private readonly handleFlow: HandleFlow) {}

  @Post(":flow")
  async flow(@Param("flow") flow: string, @Body() body: unknown, @Headers("authorization") authorization: string | undefined, @Res() reply: Reply) {
    // The Authorization header carries the session `logout` ends.
    const answer = await this.handleFlow(flow, body, { authorization });
    reply.status(answer.status).send(answer.body);
  }
}

class AppModule {}

/** The app's module: Turnkey auth for every route (`APP_GUARD`), and the login flows when configured. */
export function appModule(config: ExampleConfig): DynamicModule {
  const { handleFlow } = config;
  return {
    module: AppModule,
    imports: [TurnkeyAuthModule.forRoot(config.auth)],
    controllers: handleFlow ? [AccountController, FlowController] : [AccountController],
    providers: [
      { provide: APP_GUARD, useClass: TurnkeyAuthGuard },
      { provide: APP_FILTER, useClass: BodyErrorsFilter },
      ...(handleFlow ? [{ provide: HANDLE_FLOW, useValue: handleFlow }] : []),
    ],
  };
}

/** The example on Nest's Express platform (the default) or its Fastify one; JSON bodies up to 1 MiB, as in the other examples. */
export async function createApp(config: ExampleConfig, platform: "express" | "fastify" = "express"): Promise<INestApplication> {
  const logger = ["error", "warn"] as const;
  if (platform === "fastify") return NestFactory.create(appModule(config), new FastifyAdapter({ bodyLimit: 1_048_576 }), { logger: [...logger] });
  const app = await NestFactory.create<NestExpressApplication>(appModule(config), new ExpressAdapter(), { logger: [...logger] });
  return app.useBodyParser("json", { limit: "1mb" });
}

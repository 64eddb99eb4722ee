// The shared test app (AppSpec in ./cases.ts) as a NestJS app, on Nest's Express or Fastify
// platform, listening on 127.0.0.1. Written as a Nest user would, with decorators, but compiled
// without decorator metadata (vitest does not emit it): every injection names its token.
import type { AddressInfo } from "node:net";
import "reflect-metadata";
import { Catch, Controller, Get, Inject, UseGuards, type ArgumentsHost, type DynamicModule, type INestApplication, type Type } from "@nestjs/common";
import { APP_GUARD, BaseExceptionFilter, type AbstractHttpAdapter } from "@nestjs/core";
import { ExpressAdapter } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";
import {
  RequirePolicies,
  TurnkeyAuthException,
  TurnkeyAuthGuard,
  TurnkeyAuthModule,
  TurnkeySession,
  type TurnkeyAuthModuleOptions,
} from "../../../src/adapters/nestjs/index.js";
import { organizationFromParam } from "../../../src/index.js";
import { errorPathAnswer, identityOf, Probe, type AppSpec, type Client } from "../../adapters/cases.js";
import { send } from "./http.js";

export type NestPlatform = "express" | "fastify";

export const PLATFORMS: readonly NestPlatform[] = ["express", "fastify"];

/** The platform's HTTP adapter, made fresh for each app. */
export function platformAdapter(platform: NestPlatform): AbstractHttpAdapter {
  return platform === "express" ? new ExpressAdapter() : new FastifyAdapter();
}

/** Starts `app` on 127.0.0.1 (any free port) and returns a raw-header client (a name may repeat). */
export async function listenNest(app: INestApplication): Promise<Client & { port: number }> {
  await app.listen(0, "127.0.0.1");
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return { port, request: (path, headers = []) => send(port, path, headers), close: () => app.close() };
}

/** Nest's error path: a filter that records an unexpected refusal (a policy that threw) and answers as the other test apps do; the rest gets Nest's default answer. */
@Catch()
class ProbeFilter extends BaseExceptionFilter {
  constructor(private readonly probe: Probe, adapter: AbstractHttpAdapter) {
    super(adapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof TurnkeyAuthException && exception.turnkeyError.unexpected) {
      this.probe.errors.push(exception);
      const answer = errorPathAnswer(exception);
      this.applicationRef!.reply(host.switchToHttp().getResponse(), answer.body, answer.status);
      return;
    }
    super.catch(exception, host);
  }
}

@Controller()
class WhoamiController {
  constructor(@Inject(Probe) private readonly probe: Probe) {}

  @Get("whoami")
  whoami(@TurnkeySession() session?: TurnkeySession): object {
    this.probe.handled += 1;
    return identityOf(session);
  }

  @Get("orgs/:orgId/whoami")
  @RequirePolicies(organizationFromParam("orgId"))
  orgWhoami(@TurnkeySession() session: TurnkeySession): object {
    this.probe.handled += 1;
    return identityOf(session);
  }
}

/** The same routes, guarded per controller instead of app-wide. */
@Controller()
@UseGuards(TurnkeyAuthGuard)
class GuardedWhoamiController extends WhoamiController {}

export function nestOptionsFor(spec: AppSpec): TurnkeyAuthModuleOptions {
  // No forwardErrors: the suite does not run its cases here (see nestjs.test.ts).
  const { forwardErrors: _unsupported, ...shared } = spec.options;
  const options: TurnkeyAuthModuleOptions = shared;
  const { tokenHeader } = spec;
  if (tokenHeader !== undefined) options.getToken = (request) => request.headers[tokenHeader] as string | undefined;
  return options;
}

/** A Nest app of `imports` and `controllers`, with `probe` injectable and the guard app-wide when `global`. */
export async function createNestApp(
  platform: NestPlatform,
  parts: { imports: (DynamicModule | Type)[]; controllers?: Type[]; global?: boolean; probe?: Probe },
): Promise<INestApplication> {
  const probe = parts.probe ?? new Probe();
  const moduleRef = await Test.createTestingModule({
    imports: parts.imports,
    controllers: parts.controllers ?? [],
    providers: [{ provide: Probe, useValue: probe }, ...(parts.global === true ? [{ provide: APP_GUARD, useClass: TurnkeyAuthGuard }] : [])],
  }).compile();
  const app = moduleRef.createNestApplication(platformAdapter(platform), { logger: false });
  app.useGlobalFilters(new ProbeFilter(probe, app.getHttpAdapter() as AbstractHttpAdapter));
  return app;
}

/** The shared app: `forRoot(options)`, the guard app-wide or on the controller. */
export async function startNestApp(platform: NestPlatform, spec: AppSpec, probe: Probe): Promise<Client> {
  const app = await createNestApp(platform, {
    imports: [TurnkeyAuthModule.forRoot(nestOptionsFor(spec))],
    controllers: [spec.global ? WhoamiController : GuardedWhoamiController],
    global: spec.global,
    probe,
  });
  return listenNest(app);
}


import { ConfigurableModuleBuilder } from "@nestjs/common";
import type { AuthOptions } from "../../http/adapter-options.js";

/**
 * The request a NestJS platform hands the guard: Express's `Request` or Fastify's `FastifyRequest`
 * (cast it to yours in `getToken`).
 * @example `getToken: (request) => request.headers["x-session-token"] as string | undefined`
 */
export interface NestHttpRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The shared adapter options (`trustedOrganizations`, `notarizerPublicKey`, `policies`, `optional`,
 * `cookieName`, `realm`, …) for {@link TurnkeyAuthModule}. There is no `onError` or `forwardErrors`:
 * every refusal is thrown as a `TurnkeyAuthException`, which exception filters see.
 *
 * @example
 * ```ts
 * TurnkeyAuthModule.forRoot({ trustedOrganizations: ["org-id"], policies: [requireReadWrite()] });
 * ```
 */
export type TurnkeyAuthModuleOptions = AuthOptions<NestHttpRequest> & { forwardErrors?: never };

/**
 * The module's extra `forRoot`/`forRootAsync` option: `isGlobal` makes the guard usable in every module.
 * @example `TurnkeyAuthModule.forRoot({ trustedOrganizations: ["org-id"], isGlobal: true })`
 */
export interface TurnkeyAuthModuleExtras {
  isGlobal?: boolean;
}

const builder = new ConfigurableModuleBuilder<TurnkeyAuthModuleOptions>()
  .setClassMethodName("forRoot")
  .setExtras<TurnkeyAuthModuleExtras>({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal === true }))
  .build();

/** The base class that gives `TurnkeyAuthModule` its `forRoot` and `forRootAsync`. */
export const TurnkeyAuthModuleBase = builder.ConfigurableModuleClass;

/**
 * The injection token of the module's options, for your own providers.
 * @example `constructor(@Inject(TURNKEY_AUTH_OPTIONS) options: TurnkeyAuthModuleOptions) {}`
 */
export const TURNKEY_AUTH_OPTIONS = builder.MODULE_OPTIONS_TOKEN;

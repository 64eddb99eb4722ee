import { Module } from "@nestjs/common";
import { TurnkeyAuthenticators } from "./authenticators.js";
import { TurnkeyAuthGuard } from "./guard.js";
import { TURNKEY_AUTH_OPTIONS, TurnkeyAuthModuleBase } from "./options.js";

/**
 * Configures Turnkey session auth once for the app: `forRoot(options)`, or
 * `forRootAsync({ imports, inject, useFactory })` to build the options from other providers. Both
 * take `isGlobal: true` to make the guard usable in every module. Exports `TurnkeyAuthGuard`.
 *
 * @example
 * ```ts
 * TurnkeyAuthModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ trustedOrganizations: [config.getOrThrow("TURNKEY_ORGANIZATION_ID")] }),
 * });
 * ```
 */
@Module({
  providers: [TurnkeyAuthenticators, TurnkeyAuthGuard],
  exports: [TurnkeyAuthenticators, TurnkeyAuthGuard, TURNKEY_AUTH_OPTIONS],
})
export class TurnkeyAuthModule extends TurnkeyAuthModuleBase {}

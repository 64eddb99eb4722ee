import { Inject, Injectable, Logger } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import type { FastifyInstance } from "fastify";
import { resolveAdapterOptions, type AuthOptions } from "../../http/adapter-options.js";
import { createAuthenticator, type Authenticator } from "../../http/authenticate.js";
import type { AuthFailure } from "../../http/refusal.js";
import type { RequestReader } from "../../http/request-reader.js";
import { createSessionVerifier, type SessionVerifier } from "../../jwt/verifier.js";
import type { VerifyOptions } from "../../jwt/options.js";
import { EXPRESS } from "../express-reader.js";
import { fastifyReader } from "../fastify-reader.js";
import { TurnkeyAuthException } from "./exception.js";
import { TURNKEY_AUTH_OPTIONS, type TurnkeyAuthModuleOptions } from "./options.js";

type PlatformRequest = object;
type ExpressApp = { readonly router?: { readonly caseSensitive?: unknown; readonly strict?: unknown } };

// Nest registers its routes on the Express app's own router, which was made with the app's "case
// sensitive routing" and "strict routing" settings (as Nest's ExpressAdapter.getRouteMatchingOptions reads them).
function nestExpressReader(app: ExpressApp): RequestReader<never> {
  const { router } = app;
  const pathMatching = { ...EXPRESS.pathMatching, caseSensitive: router?.caseSensitive === true, strict: router?.strict === true };
  return { ...EXPRESS, pathMatching } as RequestReader<never>;
}

/**
 * The module's authenticators over one verifier: for guarded routes, and for `@TurnkeyOptional()`
 * ones. Made on first use, once the HTTP platform (Express or Fastify) is known. Injectable, for its
 * `verifier`.
 * @example `constructor(@Inject(TurnkeyAuthenticators) auth: TurnkeyAuthenticators) { auth.verifier.clearCache(); }`
 */
@Injectable()
export class TurnkeyAuthenticators {
  readonly verifier: SessionVerifier;
  private readonly options: AuthOptions<PlatformRequest>;
  private made: { guarded: Authenticator<PlatformRequest>; optional: Authenticator<PlatformRequest> } | undefined;
  private readonly logger = new Logger("TurnkeyAuthGuard");

  // Explicit tokens: the library is built without decorator metadata (emitDecoratorMetadata).
  constructor(@Inject(TURNKEY_AUTH_OPTIONS) options: TurnkeyAuthModuleOptions, @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {
    for (const name of ["forwardErrors", "onError"]) {
      if ((options as unknown as Record<string, unknown>)[name] !== undefined) {
        throw new TypeError(`turnkey-session-auth: option "${name}" does not apply to NestJS: refusals are thrown as TurnkeyAuthException to your exception filters`);
      }
    }
    // Validated now, so that a bad option fails when the module is created, not on a request.
    this.verifier = options.verifier ?? createSessionVerifier(options as VerifyOptions);
    this.options = { ...(options as AuthOptions<PlatformRequest>), verifier: this.verifier };
    resolveAdapterOptions(this.options, EXPRESS.pathMatching);
  }

  /** The authenticator for a guarded route, or for an `@TurnkeyOptional()` one. */
  authenticatorFor(optional: boolean): Authenticator<PlatformRequest> {
    this.made ??= this.make();
    return optional ? this.made.optional : this.made.guarded;
  }

  /** Sets the refusal's headers on the response, and returns the exception to throw. */
  refusal(failure: AuthFailure, response: unknown): TurnkeyAuthException {
    const adapter = this.host.httpAdapter;
    for (const [name, value] of Object.entries(failure.headers)) adapter.setHeader(response, name, value);
    // A throwing policy or store is a bug or an outage of the app's: say so, as Nest does for its own errors.
    if (failure.error.unexpected) this.logger.error(`A request was refused (503): ${failure.error.message}`, (failure.error.cause as Error | undefined)?.stack);
    return new TurnkeyAuthException(failure);
  }

  private make() {
    const reader = this.reader() as RequestReader<PlatformRequest>;
    return {
      guarded: createAuthenticator(this.options, reader),
      optional: createAuthenticator({ ...this.options, optional: true }, reader),
    };
  }

  private reader(): RequestReader<never> {
    const adapter = this.host.httpAdapter;
    const platform: unknown = adapter?.getType();
    if (platform === "express") return nestExpressReader(adapter.getInstance<ExpressApp>());
    if (platform === "fastify") return fastifyReader(adapter.getInstance<FastifyInstance>());
    throw new TypeError(`turnkey-session-auth: TurnkeyAuthGuard runs on Nest's Express and Fastify platforms, not "${String(platform)}"`);
  }
}

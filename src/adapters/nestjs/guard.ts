import { Inject, Injectable, type CanActivate, type ExecutionContext } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import { whenAuthenticated } from "../../http/authenticate.js";
import type { Policy } from "../../policies/policy.js";
import { TurnkeyAuthenticators } from "./authenticators.js";
import { ACCESS_KEY, POLICIES_KEY, type RequestWithSession, type RouteAccess } from "./decorators.js";

/**
 * Verifies the request's Turnkey session, runs the module's and the route's policies
 * (`@RequirePolicies`), and leaves the session for `@TurnkeySession()`. A refusal is thrown as a
 * `TurnkeyAuthException` (400/401/403/503, `{ error, message }`, `WWW-Authenticate`).
 * `@TurnkeyPublic()` routes pass untouched; `@TurnkeyOptional()` ones without a token pass with no session.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [TurnkeyAuthModule.forRoot({ trustedOrganizations: ["org-id"] })],
 *   providers: [{ provide: APP_GUARD, useClass: TurnkeyAuthGuard }], // or @UseGuards(TurnkeyAuthGuard)
 * })
 * class AppModule {}
 * ```
 */
@Injectable()
export class TurnkeyAuthGuard implements CanActivate {
  // Explicit tokens: the library is built without decorator metadata (emitDecoratorMetadata).
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TurnkeyAuthenticators) private readonly authenticators: TurnkeyAuthenticators,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== "http") throw new TypeError("turnkey-session-auth: TurnkeyAuthGuard guards HTTP routes only");
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (access === "public") return true;
    const policies = this.reflector.getAllAndMerge<Policy[]>(POLICIES_KEY, [context.getClass(), context.getHandler()]);
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithSession>();
    const authenticator = this.authenticators.authenticatorFor(access === "optional");
    const outcome = authenticator.authenticate(request, policies.length === 0 ? undefined : policies);
    return whenAuthenticated(outcome, ({ session, failure }) => {
      if (failure !== undefined) throw this.authenticators.refusal(failure, http.getResponse());
      if (session !== undefined) request.turnkey = session;
      return true;
    });
  }
}

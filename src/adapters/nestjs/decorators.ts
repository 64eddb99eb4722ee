import { SetMetadata, createParamDecorator, type ExecutionContext } from "@nestjs/common";
import type { TurnkeySession as Session } from "../../jwt/claims.js";
import { policyList, type Policy } from "../../policies/policy.js";

// reflect-metadata, which @nestjs/common loads, as Nest's own decorators use it.
const metadata = Reflect as unknown as {
  getMetadata(key: string, target: object): unknown;
  defineMetadata(key: string, value: unknown, target: object): void;
};

/** Metadata keys the guard reads. */
export const POLICIES_KEY = "turnkey-session-auth:policies";
export const ACCESS_KEY = "turnkey-session-auth:access";

/** Who may reach a route, besides requests with a valid session: everyone (`public`), or anonymous requests with no session (`optional`). */
export type RouteAccess = "public" | "optional";

/** Where the guard leaves the session: the platform's request (Express `Request`, `FastifyRequest`). */
export interface RequestWithSession {
  turnkey?: Session;
}

/**
 * Injects the verified session (or one of its fields) into a route handler's parameter; `undefined`
 * on a `@TurnkeyPublic()` route, or on a `@TurnkeyOptional()` one called without a token.
 *
 * @example
 * ```ts
 * @Get("me")
 * me(@TurnkeySession() session: TurnkeySession, @TurnkeySession("userId") userId: string) {}
 * ```
 */
export const TurnkeySession = createParamDecorator((field: keyof Session | undefined, context: ExecutionContext) => {
  const session = context.switchToHttp().getRequest<RequestWithSession>().turnkey;
  return field === undefined ? session : session?.[field];
});
/** The verified session (also exported as the `@TurnkeySession()` decorator). */
export type TurnkeySession = Session;

/**
 * Policies a controller's or a route's requests must pass, after the module's own `policies`: the
 * controller's run first, then the route's (several `@RequirePolicies` on one target add up).
 *
 * @example
 * ```ts
 * @Controller("orgs/:orgId")
 * @RequirePolicies(organizationFromParam("orgId"))
 * class WalletsController {
 *   @Post("transfers") @RequirePolicies(requireReadWrite()) transfer() {}
 * }
 * ```
 */
export function RequirePolicies(...policies: Policy[]): ClassDecorator & MethodDecorator {
  const added = policyList(policies, "RequirePolicies() takes policy functions");
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor === undefined ? target : descriptor.value;
    // Decorators apply bottom-up: prepending keeps the order in which they are written.
    const earlier = (metadata.getMetadata(POLICIES_KEY, holder) as readonly Policy[] | undefined) ?? [];
    metadata.defineMetadata(POLICIES_KEY, [...added, ...earlier], holder);
  };
}

/**
 * Lets every request reach the route or controller, with no authentication and no session.
 * @example `@Get("health") @TurnkeyPublic() health() { return { ok: true }; }`
 */
export const TurnkeyPublic = (): ClassDecorator & MethodDecorator => SetMetadata<string, RouteAccess>(ACCESS_KEY, "public");

/**
 * Lets a request without a token reach the route or controller with no session; a token that is
 * present must still be valid, and route policies still need a session.
 * @example `@Get("feed") @TurnkeyOptional() feed(@TurnkeySession() session?: TurnkeySession) {}`
 */
export const TurnkeyOptional = (): ClassDecorator & MethodDecorator => SetMetadata<string, RouteAccess>(ACCESS_KEY, "optional");

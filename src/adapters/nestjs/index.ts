// turnkey-session-auth/nestjs: a guard, decorators and a module for NestJS (Express and Fastify platforms).
export { TurnkeyAuthModule } from "./module.js";
export { TurnkeyAuthGuard } from "./guard.js";
export { TurnkeyAuthException } from "./exception.js";
export { TurnkeyAuthenticators } from "./authenticators.js";
export { RequirePolicies, TurnkeyOptional, TurnkeyPublic, TurnkeySession } from "./decorators.js";
export { TURNKEY_AUTH_OPTIONS } from "./options.js";
export type { NestHttpRequest, TurnkeyAuthModuleExtras, TurnkeyAuthModuleOptions } from "./options.js";

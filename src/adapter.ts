// turnkey-session-auth/adapter: the kit for an adapter to another framework, as the built-in four
// are written (src/adapters/*.ts): describe its requests once, then translate each result.
export { createAuthenticator, whenAuthenticated } from "./http/authenticate.js";
export type { AuthResult, Authenticator } from "./http/authenticate.js";
export type { AuthOptions } from "./http/adapter-options.js";
export { describeFailure } from "./http/refusal.js";
export type { AuthFailure } from "./http/refusal.js";
export type { RequestReader } from "./http/request-reader.js";
export { readHeader } from "./request.js";
export type { HeadersLike, RequestLike } from "./request.js";
export { canonicalPolicyPath } from "./http/canonical-path.js";
export type { PathMatching } from "./http/path-matching.js";
export { policyList } from "./policies/policy.js";
export { routeRequirements } from "./http/route-options.js";
export type { RouteOptions, RouteRequirements } from "./http/route-options.js";
export type { AuthHooks, RefusalDetails } from "./http/hooks.js";
export type { DpopMode, DpopNonceOptions, DpopOptions } from "./dpop/options.js";

import { activityRoute } from "./activity.js";
import { invalidArgument, permissionDenied } from "./api-error.js";
import { parseAuthenticator } from "./authenticator-params.js";
import type { RouteContext } from "./context.js";
import { arrayAt, requiredString } from "./params.js";

/**
 * CREATE_AUTHENTICATORS_V2 `{ userId, authenticators: v1AuthenticatorParamsV2[] }` → `{ authenticatorIds }`:
 * more passkeys for a user (`@turnkey/core`'s `addPasskey`, `@turnkey/sdk-browser`'s
 * `createUserPasskey`), each attestation read as at sign-up. Only a user of the organization itself
 * may add them (a parent organization reads its sub-organizations, it does not edit their users).
 */
function createAuthenticators(context: RouteContext, parameters: Record<string, unknown>) {
  if (context.caller.organizationId !== context.organizationId) throw permissionDenied("only users of an organization can add authenticators to its users");
  const user = context.store.user(context.organizationId, requiredString(parameters, "userId"));
  const authenticators = arrayAt(parameters, "authenticators").map((authenticator, index) => parseAuthenticator(authenticator, `authenticators[${index}]`));
  if (authenticators.length === 0) throw invalidArgument("authenticators must contain at least one authenticator");
  return { authenticatorIds: authenticators.map((authenticator) => context.store.addAuthenticator(context.organizationId, user.userId, authenticator).authenticatorId) };
}

/** POST /public/v1/submit/create_authenticators. */
export const createAuthenticatorsRoute = activityRoute({
  ACTIVITY_TYPE_CREATE_AUTHENTICATORS_V2: { intentKey: "createAuthenticatorsIntentV2", resultKey: "createAuthenticatorsResult", run: createAuthenticators },
});

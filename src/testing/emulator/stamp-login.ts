import { activityRoute } from "./activity.js";
import { invalidArgument, permissionDenied } from "./api-error.js";
import type { RouteContext } from "./context.js";
import { isCompressedP256Hex } from "./keys.js";
import { secondsAt, requiredString } from "./params.js";
import { DEFAULT_SESSION_SECONDS, issueSession, MAX_SESSION_SECONDS, refuseUnknownSessionProfile } from "./sessions.js";

/**
 * STAMP_LOGIN: `{ publicKey, expirationSeconds?, invalidateExisting?, sessionProfileId? }` → `{ session }` for the
 * user whose credential stamped the request. That must be a user of the target organization
 * itself (in the emulator: an API key, such as the temporary key registered at sign-up, or an
 * earlier session key; passkey stamps are not emulated), not its parent's. A `sessionProfileId` is
 * refused (no profiles exist in the emulator).
 */
async function stampLogin(context: RouteContext, parameters: Record<string, unknown>) {
  if (context.caller.organizationId !== context.organizationId) {
    throw permissionDenied("stamp_login must be stamped by a user of the organization itself, not by its parent organization");
  }
  const publicKey = requiredString(parameters, "publicKey");
  if (!isCompressedP256Hex(publicKey)) throw invalidArgument("publicKey must be a compressed P-256 public key in hex");
  refuseUnknownSessionProfile(parameters);
  const session = await issueSession(context, {
    organizationId: context.organizationId,
    userId: context.caller.userId,
    publicKey: publicKey.toLowerCase(),
    expirationSeconds: secondsAt(parameters, "expirationSeconds", DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS),
    invalidateExisting: parameters.invalidateExisting === true,
    source: "stamp_login",
  });
  return { session };
}

/** POST /public/v1/submit/stamp_login. */
export const stampLoginRoute = activityRoute({ ACTIVITY_TYPE_STAMP_LOGIN: { intentKey: "stampLoginIntent", resultKey: "stampLoginResult", run: stampLogin } });

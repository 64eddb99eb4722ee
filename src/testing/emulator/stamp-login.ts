import { activityRoute } from "./activity.js";
import { invalidArgument, permissionDenied } from "./api-error.js";
import type { RouteContext } from "./context.js";
import { isCompressedP256Hex } from "./keys.js";
import { secondsAt, requiredString } from "./params.js";
import { markContactVerified } from "./contacts.js";
import { DEFAULT_SESSION_SECONDS, issueSession, MAX_SESSION_SECONDS, refuseUnknownSessionProfile } from "./sessions.js";

/**
 * STAMP_LOGIN: `{ publicKey, expirationSeconds?, invalidateExisting?, sessionProfileId? }` → `{ session }` for the
 * user whose credential stamped the request. That must be a user of the organization acted on
 * itself, not its parent's: an API key (the temporary key registered at sign-up, an earlier session
 * key), a passkey, or an OTP verification token (attested stamp), which the login consumes and whose
 * contact it records verified. A `sessionProfileId` is refused (no profiles exist in the emulator).
 */
async function stampLogin(context: RouteContext, parameters: Record<string, unknown>) {
  if (context.caller.organizationId !== context.organizationId) {
    throw permissionDenied("stamp_login must be stamped by a user of the organization itself, not by its parent organization");
  }
  const publicKey = requiredString(parameters, "publicKey");
  if (!isCompressedP256Hex(publicKey)) throw invalidArgument("publicKey must be a compressed P-256 public key in hex");
  refuseUnknownSessionProfile(parameters);
  const expirationSeconds = secondsAt(parameters, "expirationSeconds", DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS);
  const token = context.caller.verificationToken;
  if (token !== undefined) {
    // Consumed before the session is signed (an await): a second login with it is refused.
    context.otp.consume(token.id);
    markContactVerified(context.store.user(context.organizationId, context.caller.userId), token.verification_type);
  }
  const session = await issueSession(context, {
    organizationId: context.organizationId,
    userId: context.caller.userId,
    publicKey: publicKey.toLowerCase(),
    expirationSeconds,
    invalidateExisting: parameters.invalidateExisting === true,
    source: "stamp_login",
  });
  return { session };
}

/** POST /public/v1/submit/stamp_login. */
export const stampLoginRoute = activityRoute({ ACTIVITY_TYPE_STAMP_LOGIN: { intentKey: "stampLoginIntent", resultKey: "stampLoginResult", run: stampLogin } });

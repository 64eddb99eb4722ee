import { isE164PhoneNumber, isEmailAddress } from "../../flows/contact-format.js";
import { activityRoute } from "./activity.js";
import { invalidArgument, notFound, permissionDenied } from "./api-error.js";
import type { RouteContext } from "./context.js";
import { isCompressedP256Hex, verifyHexSignature } from "./keys.js";
import { hasContact, markContactVerified } from "./contacts.js";
import type { VerificationTokenClaims } from "./otp.js";
import { objectAt, requiredString, secondsAt } from "./params.js";
import { DEFAULT_SESSION_SECONDS, issueSession, MAX_SESSION_SECONDS, refuseUnknownSessionProfile } from "./sessions.js";
import type { UserRecord } from "./store.js";

const OTP_TYPES = new Set(["OTP_TYPE_EMAIL", "OTP_TYPE_SMS"]);

/** INIT_OTP_V3: `{ otpType, contact, appName, otpLength?, alphanumeric?, expirationSeconds? }` → `{ otpId, otpEncryptionTargetBundle }`. */
export function initOtp(context: RouteContext, parameters: Record<string, unknown>) {
  const otpType = requiredString(parameters, "otpType");
  if (!OTP_TYPES.has(otpType)) throw invalidArgument("otpType must be OTP_TYPE_EMAIL or OTP_TYPE_SMS (the emulator does not send WhatsApp codes)");
  const contact = requiredString(parameters, "contact");
  if (otpType === "OTP_TYPE_EMAIL" && !isEmailAddress(contact)) throw invalidArgument("contact must be an email address for OTP_TYPE_EMAIL");
  if (otpType === "OTP_TYPE_SMS" && !isE164PhoneNumber(contact)) throw invalidArgument("contact must be an E.164 phone number for OTP_TYPE_SMS");
  requiredString(parameters, "appName");
  const otpLength = parameters.otpLength ?? 9;
  if (typeof otpLength !== "number" || !Number.isInteger(otpLength) || otpLength < 6 || otpLength > 9) throw invalidArgument("otpLength must be from 6 to 9");
  const alphanumeric = parameters.alphanumeric ?? true;
  if (typeof alphanumeric !== "boolean") throw invalidArgument("alphanumeric must be a boolean");
  return context.otp.init({
    organizationId: context.organizationId,
    otpType,
    contact,
    otpLength,
    alphanumeric,
    expirationSeconds: secondsAt(parameters, "expirationSeconds", 300, 600),
  });
}

/** VERIFY_OTP_V2: `{ otpId, encryptedOtpBundle, expirationSeconds? }` → `{ verificationToken }`. */
export function verifyOtp(context: RouteContext, parameters: Record<string, unknown>) {
  return {
    verificationToken: context.otp.verify({
      organizationId: context.organizationId,
      otpId: requiredString(parameters, "otpId"),
      encryptedOtpBundle: requiredString(parameters, "encryptedOtpBundle"),
      expirationSeconds: secondsAt(parameters, "expirationSeconds", 3600, 86_400),
    }),
  };
}

function userWithContact(context: RouteContext, claims: VerificationTokenClaims): UserRecord {
  const users = [...context.store.organization(context.organizationId).users.values()];
  const user = users.find((candidate) => hasContact(candidate, claims.verification_type, claims.contact, false));
  if (user === undefined) throw notFound("no user of this organization has the verification token's contact");
  return user;
}

/**
 * The OTP_LOGIN_V2 client signature: scheme API_P256, by the key in the verification token, over
 * `{"login":{"publicKey":…},"tokenId":…,"type":"USAGE_TYPE_LOGIN"}` (sha256, raw r‖s hex).
 */
function checkClientSignature(value: unknown, claims: VerificationTokenClaims, sessionPublicKey: string): void {
  const signature = objectAt(value, "clientSignature");
  if (signature.scheme !== "CLIENT_SIGNATURE_SCHEME_API_P256") throw invalidArgument("clientSignature.scheme must be CLIENT_SIGNATURE_SCHEME_API_P256");
  const publicKey = requiredString(signature, "publicKey", "clientSignature.publicKey");
  if (publicKey.toLowerCase() !== claims.public_key) throw invalidArgument("clientSignature.publicKey is not the verification token's public key");
  const message = requiredString(signature, "message", "clientSignature.message");
  let usage: { type?: unknown; tokenId?: unknown; login?: { publicKey?: unknown } };
  try {
    usage = JSON.parse(message) as typeof usage;
  } catch {
    throw invalidArgument("clientSignature.message must be the JSON token usage");
  }
  if (usage.type !== "USAGE_TYPE_LOGIN" || usage.tokenId !== claims.id || usage.login?.publicKey !== sessionPublicKey) {
    throw invalidArgument("clientSignature.message does not authorize this login (usage type, token id or public key differ)");
  }
  if (!verifyHexSignature(publicKey, requiredString(signature, "signature", "clientSignature.signature"), message, "raw")) {
    throw invalidArgument("clientSignature.signature is not a valid signature of the message");
  }
}

/**
 * OTP_LOGIN_V2 on a (sub-)organization: `{ verificationToken, publicKey, clientSignature,
 * expirationSeconds?, invalidateExisting?, sessionProfileId? }` → `{ session }`. The token must come
 * from this organization or its parent, name the contact of one of its users, be unexpired and
 * unused; it is consumed. A `sessionProfileId` is refused (no profiles exist in the emulator).
 */
export async function otpLogin(context: RouteContext, parameters: Record<string, unknown>) {
  const claims = context.otp.readToken(requiredString(parameters, "verificationToken"));
  const parentId = context.store.organization(context.organizationId).parentOrganizationId;
  if (claims.organization_id !== context.organizationId && claims.organization_id !== parentId) {
    throw permissionDenied("the verification token was issued for another organization");
  }
  const publicKey = requiredString(parameters, "publicKey");
  if (!isCompressedP256Hex(publicKey)) throw invalidArgument("publicKey must be a compressed P-256 public key in hex");
  if (parameters.clientSignature === undefined) throw invalidArgument("clientSignature is required for OTP login");
  checkClientSignature(parameters.clientSignature, claims, publicKey);
  const user = userWithContact(context, claims);
  const expirationSeconds = secondsAt(parameters, "expirationSeconds", DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS);
  refuseUnknownSessionProfile(parameters);
  context.otp.consume(claims.id);
  markContactVerified(user, claims.verification_type);
  const session = await issueSession(context, {
    organizationId: context.organizationId,
    userId: user.userId,
    publicKey: publicKey.toLowerCase(),
    expirationSeconds,
    invalidateExisting: parameters.invalidateExisting === true,
    source: "otp_login",
  });
  return { session };
}

/**
 * The legacy VERIFY_OTP type, which `@turnkey/core`'s generated client still sends with V2
 * parameters: run as VERIFY_OTP_V2. Its original plaintext `otpCode` form (Turnkey's OTP migration
 * guide: not interchangeable with INIT_OTP_V3's bundles) is refused.
 */
function legacyVerifyOtp(context: RouteContext, parameters: Record<string, unknown>) {
  if (parameters.encryptedOtpBundle === undefined && parameters.otpCode !== undefined) {
    throw invalidArgument("the legacy OTP flow (plaintext otpCode) is not emulated: use INIT_OTP_V3 and an encryptedOtpBundle");
  }
  return verifyOtp(context, parameters);
}

/** POST /public/v1/submit/init_otp. */
export const initOtpRoute = activityRoute({ ACTIVITY_TYPE_INIT_OTP_V3: { intentKey: "initOtpIntentV3", resultKey: "initOtpResultV2", run: initOtp } });
/** POST /public/v1/submit/verify_otp: V2 (`@turnkey/sdk-server`, `@turnkey/sdk-browser`) and the legacy type `@turnkey/core` sends. */
export const verifyOtpRoute = activityRoute({
  ACTIVITY_TYPE_VERIFY_OTP_V2: { intentKey: "verifyOtpIntentV2", resultKey: "verifyOtpResult", run: verifyOtp },
  ACTIVITY_TYPE_VERIFY_OTP: { intentKey: "verifyOtpIntent", resultKey: "verifyOtpResult", run: legacyVerifyOtp },
});
/** POST /public/v1/submit/otp_login: V2, and the legacy type `@turnkey/core` sends with V2 parameters (the client signature is required). */
export const otpLoginRoute = activityRoute({
  ACTIVITY_TYPE_OTP_LOGIN_V2: { intentKey: "otpLoginIntentV2", resultKey: "otpLoginResult", run: otpLogin },
  ACTIVITY_TYPE_OTP_LOGIN: { intentKey: "otpLoginIntent", resultKey: "otpLoginResult", run: otpLogin },
});

import { isE164PhoneNumber, isEmailAddress } from "../../flows/contact-format.js";
import { activityRoute, type ActivityVersion } from "./activity.js";
import { invalidArgument, permissionDenied } from "./api-error.js";
import { parseAuthenticator } from "./authenticator-params.js";
import type { RouteContext } from "./context.js";
import { isCompressedP256Hex } from "./keys.js";
import { parseOauthProvider } from "./oauth.js";
import { normalizeContact } from "./otp.js";
import { arrayAt, objectAt, optionalString, requiredString, secondsAt } from "./params.js";
import { checkSignupClientSignature } from "./signup-signature.js";
import { credentialTypeOf, type NewUser } from "./store.js";
import { createWallet, parseWalletParams } from "./wallets.js";

const MAX_API_KEY_SECONDS = 315_360_000;

function parseApiKey(value: unknown, what: string, nowMs: number): NonNullable<NewUser["apiKeys"]>[number] {
  const input = objectAt(value, what);
  const curveType = requiredString(input, "curveType", `${what}.curveType`);
  const credentialType = credentialTypeOf(curveType);
  if (credentialType === undefined) throw invalidArgument(`${what}.curveType must be API_KEY_CURVE_P256, API_KEY_CURVE_SECP256K1 or API_KEY_CURVE_ED25519`);
  const publicKey = requiredString(input, "publicKey", `${what}.publicKey`);
  if (curveType === "API_KEY_CURVE_P256" && !isCompressedP256Hex(publicKey)) throw invalidArgument(`${what}.publicKey must be a compressed P-256 public key in hex`);
  const seconds = input.expirationSeconds === undefined ? undefined : secondsAt(input, "expirationSeconds", 0, MAX_API_KEY_SECONDS);
  return {
    apiKeyName: requiredString(input, "apiKeyName", `${what}.apiKeyName`),
    publicKey,
    curveType,
    credentialType,
    ...(seconds === undefined ? {} : { expiresAtMs: nowMs + seconds * 1000, expirationSeconds: String(seconds) }),
  };
}

function parseRootUser(value: unknown, index: number, nowMs: number): NewUser {
  const what = `rootUsers[${index}]`;
  const input = objectAt(value, what);
  const userEmail = optionalString(input, "userEmail", `${what}.userEmail`);
  if (userEmail !== undefined && !isEmailAddress(userEmail)) throw invalidArgument(`${what}.userEmail is not an email address`);
  const userPhoneNumber = optionalString(input, "userPhoneNumber", `${what}.userPhoneNumber`);
  if (userPhoneNumber !== undefined && !isE164PhoneNumber(userPhoneNumber)) throw invalidArgument(`${what}.userPhoneNumber must be in E.164 format, e.g. +13214567890`);
  return {
    userName: requiredString(input, "userName", `${what}.userName`),
    userEmail,
    userPhoneNumber,
    apiKeys: arrayAt(input, "apiKeys", `${what}.apiKeys`).map((apiKey, keyIndex) => parseApiKey(apiKey, `${what}.apiKeys[${keyIndex}]`, nowMs)),
    authenticators: arrayAt(input, "authenticators", `${what}.authenticators`).map((authenticator, authIndex) =>
      parseAuthenticator(authenticator, `${what}.authenticators[${authIndex}]`),
    ),
    oauthProviders: arrayAt(input, "oauthProviders", `${what}.oauthProviders`),
  };
}

/**
 * CREATE_SUB_ORGANIZATION (V7 and V8): a sub-organization of the caller's own organization with its
 * root users, their API keys and passkeys. Their emails and phone numbers are recorded unverified,
 * except the contact of an optional `verificationToken`, checked (signature, expiry, issued to this
 * organization, contact of a root user) with the `clientSignature` Turnkey requires with it (see
 * `checkSignupClientSignature`): that one is marked verified. The token is not consumed (OTP login
 * follows with it). A requested `wallet` is kept with its accounts, whose addresses are placeholders
 * (no keys are derived: see `wallets.ts`).
 */
export function createSubOrganization(context: RouteContext, parameters: Record<string, unknown>): unknown {
  const { store, organizationId, caller } = context;
  if (caller.organizationId !== organizationId) throw permissionDenied("only users of an organization can create its sub-organizations");
  if (store.organization(organizationId).parentOrganizationId !== undefined) throw invalidArgument("a sub-organization cannot create sub-organizations");
  const subOrganizationName = requiredString(parameters, "subOrganizationName");
  const now = context.now();
  const rootUsers = arrayAt(parameters, "rootUsers").map((user, index) => {
    const parsed = parseRootUser(user, index, now);
    // Each OAuth provider's OIDC token is verified and its identity (iss, sub, aud) kept, as Turnkey does.
    return { ...parsed, oauthProviders: (parsed.oauthProviders ?? []).map((provider, providerIndex) => parseOauthProvider(context, provider, `rootUsers[${index}].oauthProviders[${providerIndex}]`)) };
  });
  if (rootUsers.length === 0) throw invalidArgument("rootUsers must contain at least one user");
  const threshold = parameters.rootQuorumThreshold;
  if (typeof threshold !== "number" || !Number.isInteger(threshold) || threshold < 1 || threshold > rootUsers.length) {
    throw invalidArgument("rootQuorumThreshold must be a whole number from 1 to the number of root users");
  }
  const token = optionalString(parameters, "verificationToken");
  const verified = token === undefined ? undefined : context.otp.readToken(token);
  if (verified !== undefined) {
    if (verified.organization_id !== organizationId) throw permissionDenied("the verification token was issued for another organization");
    const contact = normalizeContact(verified.contact);
    const index = rootUsers.findIndex((user) => [user.userEmail, user.userPhoneNumber].some((value) => value !== undefined && normalizeContact(value) === contact));
    if (index === -1) throw invalidArgument("verificationToken's contact does not match any root user's email or phone number");
    checkSignupClientSignature(parameters.clientSignature, verified, objectAt(arrayAt(parameters, "rootUsers")[index], `rootUsers[${index}]`));
  }
  const wallet = parameters.wallet === undefined || parameters.wallet === null ? undefined : parseWalletParams(parameters.wallet);
  const organization = store.createOrganization({ name: subOrganizationName, parentOrganizationId: organizationId, rootUsers });
  const rootUserIds = [...organization.users.keys()];
  if (verified !== undefined) {
    for (const user of organization.users.values()) {
      if (user.userEmail !== undefined && normalizeContact(user.userEmail) === normalizeContact(verified.contact)) user.emailVerified = true;
      if (user.userPhoneNumber === verified.contact) user.phoneVerified = true;
    }
  }
  return {
    subOrganizationId: organization.organizationId,
    ...(wallet === undefined ? {} : { wallet: createWallet(organization, wallet, now) }),
    rootUserIds,
  };
}

const V7: ActivityVersion = { intentKey: "createSubOrganizationIntentV7", resultKey: "createSubOrganizationResultV7", run: createSubOrganization };
const V8: ActivityVersion = { intentKey: "createSubOrganizationIntentV8", resultKey: "createSubOrganizationResultV8", run: createSubOrganization };

/** POST /public/v1/submit/create_sub_organization. */
export const createSubOrganizationRoute = activityRoute({
  ACTIVITY_TYPE_CREATE_SUB_ORGANIZATION_V7: V7,
  ACTIVITY_TYPE_CREATE_SUB_ORGANIZATION_V8: V8,
});

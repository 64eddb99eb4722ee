import { randomBytes } from "node:crypto";
import { hpkeEncrypt } from "@turnkey/crypto";
import { activityRoute } from "./activity.js";
import { invalidArgument, permissionDenied } from "./api-error.js";
import { base58check } from "./base58check.js";
import type { RouteContext } from "./context.js";
import { generateP256KeyPairHex, publicKeyFromHex, uncompressedHexOf } from "./keys.js";
import { arrayAt, optionalString, requiredString, secondsAt } from "./params.js";
import { DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS } from "./sessions.js";

// The emulator's choice: Turnkey does not document a read-only session's length.
const READ_ONLY_SESSION_SECONDS = 3600;

function callerDetails({ store, caller }: RouteContext) {
  const organization = store.organization(caller.organizationId);
  const user = store.user(caller.organizationId, caller.userId);
  return { organizationId: organization.organizationId, organizationName: organization.name, userId: user.userId, username: user.userName };
}

/**
 * CREATE_READ_ONLY_SESSION `{}` → the caller's organization and user, an opaque `session` and its
 * `sessionExpiry` (Unix seconds, as `@turnkey/sdk-browser` reads it). The emulator does not honour
 * the session afterwards (`X-Session` is ignored): every request is authenticated by its stamp.
 */
function createReadOnlySession(context: RouteContext) {
  return {
    ...callerDetails(context),
    session: randomBytes(32).toString("hex"),
    sessionExpiry: String(Math.floor(context.now() / 1000) + READ_ONLY_SESSION_SECONDS),
  };
}

/**
 * CREATE_READ_WRITE_SESSION_V2 `{ targetPublicKey, userId?, apiKeyName?, expirationSeconds?,
 * invalidateExisting? }`: a fresh P-256 key registered as the user's read-write session key (the
 * caller's user unless `userId` names one of the organization's), its private key HPKE-encrypted to
 * `targetPublicKey` as a base58check `credentialBundle` that `@turnkey/crypto`'s
 * `decryptCredentialBundle` (and Turnkey's iframe) open.
 */
function createReadWriteSession(context: RouteContext, parameters: Record<string, unknown>) {
  const target = publicKeyFromHex(requiredString(parameters, "targetPublicKey"));
  if (target === undefined) throw invalidArgument("targetPublicKey must be a P-256 public key in hex");
  const userId = optionalString(parameters, "userId");
  const organizationId = userId === undefined ? context.caller.organizationId : context.organizationId;
  const user = context.store.user(organizationId, userId ?? context.caller.userId);
  const expirationSeconds = secondsAt(parameters, "expirationSeconds", DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS);
  const now = context.now();
  if (parameters.invalidateExisting === true) {
    context.store.removeApiKeys(organizationId, user.userId, (apiKey) => apiKey.credentialType !== "CREDENTIAL_TYPE_READ_WRITE_SESSION_KEY_P256");
  }
  const key = generateP256KeyPairHex();
  const apiKey = context.store.addApiKey(organizationId, user.userId, {
    apiKeyName: optionalString(parameters, "apiKeyName") ?? `Read Write Session - ${now}`,
    publicKey: key.publicKey,
    curveType: "API_KEY_CURVE_P256",
    credentialType: "CREDENTIAL_TYPE_READ_WRITE_SESSION_KEY_P256",
    expiresAtMs: now + expirationSeconds * 1000,
    expirationSeconds: String(expirationSeconds),
  });
  const encrypted = hpkeEncrypt({ plainTextBuf: Buffer.from(key.privateKey, "hex"), targetKeyBuf: Buffer.from(uncompressedHexOf(target), "hex") });
  const organization = context.store.organization(organizationId);
  return {
    organizationId,
    organizationName: organization.name,
    userId: user.userId,
    username: user.userName,
    apiKeyId: apiKey.apiKeyId,
    credentialBundle: base58check(encrypted),
  };
}

/** POST /public/v1/submit/create_read_only_session. */
export const createReadOnlySessionRoute = activityRoute({
  ACTIVITY_TYPE_CREATE_READ_ONLY_SESSION: { intentKey: "createReadOnlySessionIntent", resultKey: "createReadOnlySessionResult", run: createReadOnlySession },
});

/** POST /public/v1/submit/create_read_write_session. */
export const createReadWriteSessionRoute = activityRoute({
  ACTIVITY_TYPE_CREATE_READ_WRITE_SESSION_V2: { intentKey: "createReadWriteSessionIntentV2", resultKey: "createReadWriteSessionResultV2", run: createReadWriteSession },
});

/**
 * DELETE_API_KEYS `{ userId, apiKeyIds }` → `{ apiKeyIds }`: removes those keys of the user. Only
 * a user of the organization itself may, as at Turnkey: a parent organization has read access to
 * its sub-organizations but no write access (docs: features/organizations).
 */
function deleteApiKeys(context: RouteContext, parameters: Record<string, unknown>) {
  if (context.caller.organizationId !== context.organizationId) {
    throw permissionDenied("a parent organization cannot delete the API keys of a sub-organization's users");
  }
  const userId = requiredString(parameters, "userId");
  const apiKeyIds = arrayAt(parameters, "apiKeyIds").map((id) => {
    if (typeof id !== "string") throw invalidArgument("apiKeyIds must be strings");
    return id;
  });
  const user = context.store.user(context.organizationId, userId);
  const deleted = user.apiKeys.filter((apiKey) => apiKeyIds.includes(apiKey.apiKeyId)).map((apiKey) => apiKey.apiKeyId);
  context.store.removeApiKeys(context.organizationId, userId, (apiKey) => !apiKeyIds.includes(apiKey.apiKeyId));
  return { apiKeyIds: deleted };
}

/** POST /public/v1/submit/delete_api_keys. */
export const deleteApiKeysRoute = activityRoute({
  ACTIVITY_TYPE_DELETE_API_KEYS: { intentKey: "deleteApiKeysIntent", resultKey: "deleteApiKeysResult", run: deleteApiKeys },
});

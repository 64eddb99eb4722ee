import { timestampOf } from "./params.js";
import type { ApiKeyRecord, UserRecord } from "./store.js";

/** An API key (or session key) as Turnkey's `v1ApiKey`. */
export function apiKeyView(apiKey: ApiKeyRecord): Record<string, unknown> {
  return {
    credential: { publicKey: apiKey.publicKey, type: apiKey.credentialType },
    apiKeyId: apiKey.apiKeyId,
    apiKeyName: apiKey.apiKeyName,
    createdAt: timestampOf(apiKey.createdAtMs),
    updatedAt: timestampOf(apiKey.createdAtMs),
    ...(apiKey.expirationSeconds === undefined ? {} : { expirationSeconds: apiKey.expirationSeconds }),
  };
}

/** A user as Turnkey's `v1User` (get_user, get_users). */
export function userView(user: UserRecord): Record<string, unknown> {
  return {
    userId: user.userId,
    userName: user.userName,
    ...(user.userEmail === undefined ? {} : { userEmail: user.userEmail }),
    ...(user.userPhoneNumber === undefined ? {} : { userPhoneNumber: user.userPhoneNumber }),
    authenticators: user.authenticators.map((authenticator) => ({
      transports: [...authenticator.transports],
      attestationType: "none",
      aaguid: "00000000-0000-0000-0000-000000000000",
      credentialId: authenticator.credentialId,
      model: "emulated authenticator",
      credential: { publicKey: authenticator.publicKey, type: "CREDENTIAL_TYPE_WEBAUTHN_AUTHENTICATOR" },
      authenticatorId: authenticator.authenticatorId,
      authenticatorName: authenticator.authenticatorName,
      createdAt: timestampOf(authenticator.createdAtMs),
      updatedAt: timestampOf(authenticator.createdAtMs),
    })),
    apiKeys: user.apiKeys.map(apiKeyView),
    userTags: [],
    oauthProviders: [],
    createdAt: timestampOf(user.createdAtMs),
    updatedAt: timestampOf(user.updatedAtMs),
    mfaPolicies: [],
  };
}

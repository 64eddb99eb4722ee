import type { RevocableSession } from "../jwt/revocations.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import { badResponse, callTurnkey, requireClient, resolveTimeout } from "./turnkey-call.js";
import { isObject } from "./validate.js";

/** An API key as Turnkey's `get_api_keys` lists it (the fields the helpers read). */
export interface ListedApiKey {
  apiKeyId?: string;
  credential?: { publicKey?: string; type?: string };
  createdAt?: { seconds?: string };
  expirationSeconds?: string;
}

/**
 * The Turnkey calls {@link endAllSessions} makes: `apiClient()` of `@turnkey/sdk-server`.
 *
 * @example
 * ```ts
 * const lister: SessionKeysClient = new Turnkey({ apiBaseUrl, apiPublicKey, apiPrivateKey, defaultOrganizationId }).apiClient();
 * ```
 */
export interface SessionKeysClient {
  getApiKeys(input: { organizationId: string; userId?: string }): Promise<{ apiKeys?: ListedApiKey[] }>;
}

/**
 * A client that may delete the user's keys: a key with write access in the sub-organization
 * (a delegated-access user's). The parent organization's key may not.
 *
 * @example
 * ```ts
 * const deleter: SessionKeysDeleter = delegatedAccessTurnkey.apiClient();
 * ```
 */
export interface SessionKeysDeleter {
  deleteApiKeys(input: { organizationId: string; userId: string; apiKeyIds: string[] }): Promise<unknown>;
}

/**
 * Input of {@link endAllSessions}.
 *
 * @example
 * ```ts
 * const input: EndAllSessionsInput = { client, verifier, organizationId: session.organizationId, userId: session.userId };
 * ```
 */
export interface EndAllSessionsInput {
  /** Lists the user's keys: the parent organization's API client (it may read its sub-organizations). */
  client: SessionKeysClient;
  /** Its store records the revocations: the verifier (or one sharing the store) your routes use. */
  verifier: Pick<SessionVerifier, "revoke">;
  organizationId: string;
  userId: string;
  /** Also deletes the keys at Turnkey with this client, which needs write access in the sub-organization. */
  deleter?: SessionKeysDeleter;
  /** Milliseconds each Turnkey call may take. Default 5000. */
  timeoutMs?: number;
}

/**
 * Result of {@link endAllSessions}.
 * @example `const { revoked, deletedAtTurnkey }: EndAllSessionsResult = await endAllSessions(input);`
 */
export interface EndAllSessionsResult {
  /** Session keys revoked in the store. */
  revoked: number;
  /** Whether they were also deleted at Turnkey (only with a `deleter`). */
  deletedAtTurnkey: boolean;
}

// Login sessions (stamp_login, otp_login, oauth_login) are this type of credential (Turnkey docs:
// features/users/credentials, "Types"); their JWT's public_key is the credential's public key.
const SESSION_CREDENTIAL_TYPE = "CREDENTIAL_TYPE_LOGIN";
// A session key without an expiry is revoked for the longest session Turnkey issues.
const LONGEST_SESSION_SECONDS = 31_536_000;

/**
 * Ends every session a user has now: lists the user's session keys at Turnkey (the expiring API
 * keys its logins created), revokes each in the verifier's store, and with a `deleter` deletes them
 * at Turnkey. Logins made afterwards create new keys and work. The JWT has no `iat`, so "every
 * session issued before now" is known only from Turnkey's list; see docs/revocation.md for limits.
 *
 * @example
 * ```ts
 * const { revoked } = await endAllSessions({ client: turnkey.apiClient(), verifier, organizationId, userId });
 * ```
 */
export async function endAllSessions(input: EndAllSessionsInput): Promise<EndAllSessionsResult> {
  if (!isObject(input)) throw new TypeError("endAllSessions: input must be an object");
  const client = requireClient(input.client, "getApiKeys");
  const { verifier, organizationId, userId, deleter } = input;
  if (typeof verifier?.revoke !== "function") throw new TypeError("endAllSessions: verifier must come from createSessionVerifier()");
  if (typeof organizationId !== "string" || organizationId.length === 0) throw new TypeError("endAllSessions: organizationId must be a non-empty string");
  if (typeof userId !== "string" || userId.length === 0) throw new TypeError("endAllSessions: userId must be a non-empty string");
  if (deleter !== undefined) requireClient(deleter, "deleteApiKeys");
  const timeoutMs = resolveTimeout(input.timeoutMs);

  const listed = await callTurnkey("getApiKeys", timeoutMs, () => client.getApiKeys({ organizationId, userId }));
  if (!Array.isArray(listed?.apiKeys)) throw badResponse("getApiKeys", "no apiKeys");
  const sessionKeys = listed.apiKeys.filter((key) => key?.credential?.type === SESSION_CREDENTIAL_TYPE && typeof key.credential.publicKey === "string");
  for (const key of sessionKeys) await verifier.revoke(revocableOf(key, organizationId, userId));
  const apiKeyIds = sessionKeys.flatMap((key) => (typeof key.apiKeyId === "string" ? [key.apiKeyId] : []));
  if (deleter === undefined || apiKeyIds.length === 0) return { revoked: sessionKeys.length, deletedAtTurnkey: false };
  await callTurnkey("deleteApiKeys", timeoutMs, () => deleter.deleteApiKeys({ organizationId, userId, apiKeyIds }), {
    forbidden: "This client may not delete the user's keys at Turnkey (a parent organization's key never may)",
  });
  return { revoked: sessionKeys.length, deletedAtTurnkey: true };
}

// Turnkey lists no expiry, only creation time and lifetime (v1ApiKey: createdAt, expirationSeconds).
function revocableOf(key: ListedApiKey, organizationId: string, userId: string): RevocableSession {
  const created = Number(key.createdAt?.seconds);
  const lifetime = Number(key.expirationSeconds);
  const expiresAt =
    Number.isFinite(created) && Number.isFinite(lifetime) && lifetime > 0 ? created + lifetime : Math.floor(Date.now() / 1000) + LONGEST_SESSION_SECONDS;
  return { organizationId, userId, publicKey: key.credential?.publicKey as string, expiresAt };
}

/**
 * Deletes one session's key at Turnkey with `deleter` (a key with write access in the
 * sub-organization), found in the user's keys listed by `client`. `false` when it is not listed.
 *
 * @example
 * ```ts
 * await endSessionAtTurnkey({ client, deleter, session, timeoutMs: 5000 });
 * ```
 */
export async function endSessionAtTurnkey(input: {
  client: SessionKeysClient;
  deleter: SessionKeysDeleter;
  session: RevocableSession;
  timeoutMs: number;
}): Promise<boolean> {
  const { client, deleter, session, timeoutMs } = input;
  const { organizationId, userId } = session;
  const listed = await callTurnkey("getApiKeys", timeoutMs, () => requireClient(client, "getApiKeys").getApiKeys({ organizationId, userId }));
  const wanted = session.publicKey.toLowerCase();
  const key = listed?.apiKeys?.find((candidate) => candidate?.credential?.publicKey?.toLowerCase() === wanted);
  if (typeof key?.apiKeyId !== "string") return false;
  const apiKeyId = key.apiKeyId;
  await callTurnkey("deleteApiKeys", timeoutMs, () => deleter.deleteApiKeys({ organizationId, userId, apiKeyIds: [apiKeyId] }), {
    forbidden: "This client may not delete the user's keys at Turnkey (a parent organization's key never may)",
  });
  return true;
}

import { TurnkeyAuthError } from "../errors.js";
import { LruCache } from "../jwt/lru.js";
import { definePolicy, type Policy } from "../policies/policy.js";
import type { TurnkeyFlowsClient } from "./client.js";
import type { ListedApiKey, SessionKeysClient } from "./end-all-sessions.js";
import { AMBIGUOUS_CODES, DENIAL_CODES, lookupUnavailable, parentKeyConfirmation, wholeMs, type ParentKeyLookupOptions } from "./parent-key.js";
import { turnkeyCodeOf, withTimeout } from "./turnkey-call.js";

/**
 * Options of {@link sessionKeyIsActive}.
 *
 * @example
 * ```ts
 * const options: SessionKeyIsActiveOptions = { client, parentOrganizationId, ttlMs: 30_000, deniedTtlMs: 300_000, timeoutMs: 2000 };
 * ```
 */
export interface SessionKeyIsActiveOptions extends ParentKeyLookupOptions {
  /** An `@turnkey/sdk-server` API client authenticated with the parent organization's API key. */
  client: SessionKeysClient & Pick<TurnkeyFlowsClient, "getWhoami">;
  /** How long "the key is active" is reused, in ms: a key deleted at Turnkey still works here for up to this long. Default 30 000; 0 asks on every request. */
  ttlMs?: number;
  /** How long "the key is gone" is reused, in ms, never past the session's `exp`. Default 300 000; 0 disables. */
  deniedTtlMs?: number;
  /** Most session keys remembered. Default 10 000. */
  maxEntries?: number;
}

/**
 * The policy {@link sessionKeyIsActive} returns.
 * @example `const active: ActiveSessionKeyPolicy = sessionKeyIsActive({ client, parentOrganizationId }); active.clear();`
 */
export type ActiveSessionKeyPolicy = Policy & {
  /** Forgets every cached answer, and the confirmation of the parent's API key. */
  clear(): void;
};

const NAME = "sessionKeyIsActive";
type Refusal = "session_revoked" | "untrusted_organization";
type Listing = { readonly keys: readonly ListedApiKey[] } | { readonly refused: Refusal };
/** A cached answer: `true`, or the refusal; reused until `until` (ms). */
interface Answer {
  readonly verdict: true | Refusal;
  readonly until: number;
}

const MESSAGES: Readonly<Record<Refusal, string>> = {
  session_revoked: "The session has been ended at Turnkey: its key is no longer an active API key of the user",
  untrusted_organization: "The session's organization cannot be read with the parent organization's API key",
};

/**
 * A policy that grants only while the session's key is still an active API key of its user at
 * Turnkey, so sessions whose key was deleted there (Turnkey's dashboard, `deleteApiKeys`, a login
 * with `invalidateExisting`, the eviction of the oldest of a user's 10 expiring keys) stop working
 * here too. Off unless you add it. Turnkey registers each login's session key as an expiring API
 * key of the user, the JWT's `public_key` (docs: authentication/sessions); with the parent
 * organization's API key, `getApiKeys({ organizationId, userId })` lists them (a parent reads its
 * sub-organizations). A key listed with that public key (compared case-insensitively) and not past
 * `createdAt + expirationSeconds` grants.
 *
 * Refusals are 401: `session_revoked` when the key (or the user) is gone or expired,
 * `untrusted_organization` when the parent's key cannot read the session's organization. Answers are
 * cached per session key (positive for `ttlMs`, never past the key's expiry; negative for
 * `deniedTtlMs`, never past the session's `exp`); concurrent checks of one user share one
 * `getApiKeys` call. Fail closed as {@link subOrganizationsOf}: Turnkey unreachable, slow, failing
 * or refusing the parent's own key answers 503 `unavailable`, is not cached and calls `onUnavailable`.
 *
 * @example
 * ```ts
 * const activeKey = sessionKeyIsActive({ client: turnkey.apiClient(), parentOrganizationId });
 * app.use(turnkeyAuth({ trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId }), policies: [activeKey] }));
 * ```
 */
export function sessionKeyIsActive(options: SessionKeyIsActiveOptions): ActiveSessionKeyPolicy {
  if (typeof options !== "object" || options === null) throw new TypeError(`${NAME}: options must be an object`);
  const { client, parentOrganizationId, onUnavailable } = options;
  if (typeof client?.getApiKeys !== "function" || typeof client.getWhoami !== "function") {
    throw new TypeError(`${NAME}: option "client" must be an @turnkey/sdk-server API client (with getApiKeys and getWhoami)`);
  }
  if (typeof parentOrganizationId !== "string" || parentOrganizationId.length === 0) {
    throw new TypeError(`${NAME}: option "parentOrganizationId" must be a non-empty string`);
  }
  const ttlMs = wholeMs(options.ttlMs ?? 30_000, NAME, "ttlMs", 0, 86_400_000);
  const deniedTtlMs = wholeMs(options.deniedTtlMs ?? 300_000, NAME, "deniedTtlMs", 0, 86_400_000);
  const timeoutMs = wholeMs(options.timeoutMs ?? 3000, NAME, "timeoutMs", 1, 600_000);
  const maxEntries = wholeMs(options.maxEntries ?? 10_000, NAME, "maxEntries", 1, 10_000_000);
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new TypeError(`${NAME}: option "now" must be a function`);
  if (onUnavailable !== undefined && typeof onUnavailable !== "function") throw new TypeError(`${NAME}: option "onUnavailable" must be a function`);

  const answers = new LruCache<string, Answer>(maxEntries);
  const inFlight = new Map<string, Promise<Listing>>();
  const parentKey = parentKeyConfirmation(client, parentOrganizationId, timeoutMs, now);

  function failed(cause: unknown, organizationId: string): TurnkeyAuthError {
    try {
      onUnavailable?.(cause, organizationId);
    } catch {
      // A failing logger must not change the answer.
    }
    return lookupUnavailable(cause, "session key check");
  }

  async function list(organizationId: string, userId: string): Promise<Listing> {
    let answer: { apiKeys?: ListedApiKey[] };
    try {
      answer = await withTimeout(Promise.resolve().then(() => client.getApiKeys({ organizationId, userId })), timeoutMs, "getApiKeys");
    } catch (error) {
      const code = turnkeyCodeOf(error);
      if (code !== undefined && DENIAL_CODES.has(code)) return { refused: "session_revoked" }; // no such user (or organization)
      if (code === undefined || !AMBIGUOUS_CODES.has(code)) throw failed(error, organizationId);
      // "Not one of yours" only once Turnkey is known to accept our key; otherwise an outage.
      await parentKey.confirm().catch((reason: unknown) => {
        throw failed(reason, organizationId);
      });
      return { refused: "untrusted_organization" };
    }
    if (!Array.isArray(answer?.apiKeys)) throw failed(new Error("Turnkey's getApiKeys answer has no apiKeys list"), organizationId);
    parentKey.accepted();
    return { keys: answer.apiKeys };
  }

  // Turnkey lists no expiry, only creation time and lifetime (v1ApiKey: createdAt, expirationSeconds);
  // a key without expirationSeconds does not expire. Expired keys can stay listed: Turnkey deletes
  // them only to make room past a user's 10 expiring keys (docs: authentication/sessions, FAQ).
  function judge(listing: Listing, publicKey: string, organizationId: string): { verdict: true | Refusal; expiresAtMs: number } {
    if ("refused" in listing) return { verdict: listing.refused, expiresAtMs: Infinity };
    let expiresAtMs = -Infinity;
    for (const key of listing.keys) {
      const listed = key?.credential?.publicKey;
      if (typeof listed !== "string" || listed.toLowerCase() !== publicKey) continue;
      if (key.expirationSeconds === undefined) return { verdict: true, expiresAtMs: Infinity };
      const end = (Number(key.createdAt?.seconds) + Number(key.expirationSeconds)) * 1000;
      if (!Number.isFinite(end)) throw failed(new Error("Turnkey's getApiKeys answer has a key without a readable expiry"), organizationId);
      expiresAtMs = Math.max(expiresAtMs, end);
    }
    return expiresAtMs > now() ? { verdict: true, expiresAtMs } : { verdict: "session_revoked", expiresAtMs: Infinity };
  }

  function settle(verdict: true | Refusal): true {
    if (verdict === true) return true;
    throw new TurnkeyAuthError(verdict, MESSAGES[verdict]);
  }

  async function lookUp(cacheKey: string, organizationId: string, userId: string, publicKey: string, sessionEndMs: number): Promise<true> {
    const userKey = `${organizationId}\u0000${userId}`;
    let pending = inFlight.get(userKey);
    if (pending === undefined) {
      pending = list(organizationId, userId).finally(() => inFlight.delete(userKey));
      inFlight.set(userKey, pending);
    }
    const { verdict, expiresAtMs } = judge(await pending, publicKey, organizationId);
    const at = now();
    const until = verdict === true ? Math.min(at + ttlMs, expiresAtMs, sessionEndMs) : Math.min(at + deniedTtlMs, sessionEndMs);
    if (until > at) answers.set(cacheKey, { verdict, until });
    return settle(verdict);
  }

  const policy = definePolicy(NAME, ({ session }) => {
    const { organizationId, userId, publicKey, expiresAt } = session;
    if (typeof organizationId !== "string" || typeof userId !== "string" || typeof publicKey !== "string" || typeof expiresAt !== "number") return false;
    const wanted = publicKey.toLowerCase();
    const cacheKey = `${organizationId}\u0000${userId}\u0000${wanted}`;
    const cached = answers.get(cacheKey);
    // A cached answer is given synchronously: the warm path costs no promise.
    if (cached !== undefined && cached.until > now()) return settle(cached.verdict);
    if (cached !== undefined) answers.delete(cacheKey);
    return lookUp(cacheKey, organizationId, userId, wanted, expiresAt * 1000);
  });
  return Object.assign(policy, {
    clear() {
      answers.clear();
      parentKey.reset();
    },
  });
}

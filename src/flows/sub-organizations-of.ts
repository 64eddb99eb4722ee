import type { TurnkeyAuthError } from "../errors.js";
import { LruCache } from "../jwt/lru.js";
import { definePolicy, type Policy } from "../policies/policy.js";
import type { TurnkeySession } from "../jwt/claims.js";
import type { TurnkeyFlowsClient } from "./client.js";
import { AMBIGUOUS_CODES, DENIAL_CODES, lookupUnavailable, parentKeyConfirmation, wholeMs, type ParentKeyLookupOptions } from "./parent-key.js";
import { turnkeyCodeOf, withTimeout } from "./turnkey-call.js";

/**
 * Options of {@link subOrganizationsOf}.
 *
 * @example
 * ```ts
 * const options: SubOrganizationsOfOptions = { client, parentOrganizationId, ttlMs: 300_000, deniedTtlMs: 30_000, timeoutMs: 2000 };
 * ```
 */
export interface SubOrganizationsOfOptions extends ParentKeyLookupOptions {
  /** An `@turnkey/sdk-server` API client authenticated with the parent organization's API key. */
  client: Pick<TurnkeyFlowsClient, "getUser" | "getWhoami">;
  /** Also accept sessions of the parent organization's own users. Default `false`. */
  includeParent?: boolean;
  /** How long a positive answer is reused, in ms. Default 60 000; 0 disables. */
  ttlMs?: number;
  /** How long a negative answer is reused, in ms. Default 10 000; 0 disables. */
  deniedTtlMs?: number;
  /** Most (organization, user) answers remembered, each cache. Default 10 000. */
  maxEntries?: number;
}

/**
 * A `trustedOrganizations` resolver answering "is this session's organization one of my
 * sub-organizations, and does its user still exist?", with a policy form and a cache reset.
 *
 * @example
 * ```ts
 * const mine: SubOrganizationTrust = subOrganizationsOf({ client, parentOrganizationId });
 * app.get("/wallets", turnkeyAuth({ trustedOrganizations: "any", policies: [mine.policy] }), listWallets);
 * ```
 */
export type SubOrganizationTrust = ((organizationId: string, session: TurnkeySession) => Promise<boolean>) & {
  /** The same check as a {@link Policy} (a denial is then a 403 `forbidden`). */
  readonly policy: Policy;
  /** Forgets every cached answer (e.g. after deleting users), and the confirmation of the parent's API key. */
  clear(): void;
};

const OWNER = "subOrganizationsOf";

/**
 * Trusts the sessions of your own sub-organizations, asking Turnkey. With the parent
 * organization's API key, `getUser({ organizationId, userId })` succeeds only inside the parent
 * and its sub-organizations, and only for users that still exist: so a success trusts the
 * session, and Turnkey's refusal (not found, invalid argument, or unauthenticated / permission
 * denied while the parent's key is good) does not.
 *
 * Fail closed: Turnkey unreachable, slower than `timeoutMs`, answering 5xx or malformed JSON makes
 * the check throw `TurnkeyAuthError("unavailable")` (HTTP 503), never trust, and is not cached;
 * `onUnavailable` receives the underlying error for your logs.
 * Turnkey refusing the parent's own API key (wrong, deleted, expired) is such an outage too, not a
 * verdict on the user: Turnkey answers "unauthenticated" alike for another customer's organization
 * and for a key it does not accept, so before such a refusal counts as "no", `getWhoami` on the
 * parent organization confirms the key (one call at a time, relied on for 10 s); if Turnkey refuses
 * that too, the check is `unavailable`.
 * Answers are cached per (organization, user), positive and negative ones separately with their
 * own TTL; concurrent checks of one pair share one lookup.
 *
 * @example
 * ```ts
 * import { Turnkey } from "@turnkey/sdk-server";
 * import { subOrganizationsOf } from "turnkey-session-auth/flows";
 *
 * const client = new Turnkey({ apiBaseUrl, apiPublicKey, apiPrivateKey, defaultOrganizationId: parentOrgId }).apiClient();
 * const verifier = createSessionVerifier({
 *   trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId: parentOrgId }),
 * });
 * ```
 */
export function subOrganizationsOf(options: SubOrganizationsOfOptions): SubOrganizationTrust {
  if (typeof options !== "object" || options === null) throw new TypeError("subOrganizationsOf: options must be an object");
  const { client, parentOrganizationId, includeParent = false } = options;
  if (typeof client?.getUser !== "function" || typeof client.getWhoami !== "function") {
    throw new TypeError('subOrganizationsOf: option "client" must be an @turnkey/sdk-server API client (with getUser and getWhoami)');
  }
  if (typeof parentOrganizationId !== "string" || parentOrganizationId.length === 0) {
    throw new TypeError('subOrganizationsOf: option "parentOrganizationId" must be a non-empty string');
  }
  const ttlMs = wholeMs(options.ttlMs ?? 60_000, OWNER, "ttlMs", 0, 86_400_000);
  const deniedTtlMs = wholeMs(options.deniedTtlMs ?? 10_000, OWNER, "deniedTtlMs", 0, 86_400_000);
  const timeoutMs = wholeMs(options.timeoutMs ?? 3000, OWNER, "timeoutMs", 1, 600_000);
  const maxEntries = wholeMs(options.maxEntries ?? 10_000, OWNER, "maxEntries", 1, 10_000_000);
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new TypeError('subOrganizationsOf: option "now" must be a function');
  const { onUnavailable } = options;
  if (onUnavailable !== undefined && typeof onUnavailable !== "function") throw new TypeError('subOrganizationsOf: option "onUnavailable" must be a function');

  function failed(cause: unknown, organizationId: string): TurnkeyAuthError {
    try {
      onUnavailable?.(cause, organizationId);
    } catch {
      // A failing logger must not change the answer.
    }
    return lookupUnavailable(cause, "organization trust check");
  }

  const allowed = new LruCache<string, number>(maxEntries);
  const denied = new LruCache<string, number>(maxEntries);
  const inFlight = new Map<string, Promise<boolean>>();

  function cached(cache: LruCache<string, number>, key: string): boolean {
    const expiresAt = cache.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > now()) return true;
    cache.delete(key);
    return false;
  }

  const parentKey = parentKeyConfirmation(client, parentOrganizationId, timeoutMs, now);

  async function lookUp(key: string, organizationId: string, userId: string): Promise<boolean> {
    let answer: { user?: { userId?: string } };
    try {
      answer = await withTimeout(Promise.resolve().then(() => client.getUser({ organizationId, userId })), timeoutMs, "getUser");
    } catch (error) {
      const code = turnkeyCodeOf(error);
      if (code !== undefined && AMBIGUOUS_CODES.has(code)) {
        await parentKey.confirm().catch((reason: unknown) => {
          throw failed(reason, organizationId);
        });
      } else if (code === undefined || !DENIAL_CODES.has(code)) {
        throw failed(error, organizationId);
      }
      if (deniedTtlMs > 0) denied.set(key, now() + deniedTtlMs);
      return false;
    }
    if (answer?.user?.userId !== userId) throw failed(new Error("Turnkey's getUser answer does not describe the requested user"), organizationId);
    parentKey.accepted();
    if (ttlMs > 0) allowed.set(key, now() + ttlMs);
    return true;
  }

  async function isTrusted(organizationId: string, session: TurnkeySession): Promise<boolean> {
    const userId = session?.userId;
    if (typeof organizationId !== "string" || organizationId.length === 0 || typeof userId !== "string" || userId.length === 0) return false;
    if (organizationId === parentOrganizationId && !includeParent) return false;
    const key = `${organizationId}\u0000${userId}`;
    if (cached(allowed, key)) return true;
    if (cached(denied, key)) return false;
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = lookUp(key, organizationId, userId).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  const policy = definePolicy("subOrganizationsOf", ({ session }) => isTrusted(session.organizationId, session));
  return Object.assign(isTrusted, {
    policy,
    clear() {
      allowed.clear();
      denied.clear();
      parentKey.reset();
    },
  });
}

import { createSessionVerifier, type SessionVerifier } from "../jwt/verifier.js";
import type { SessionStore } from "../store/session-store.js";
import type { TurnkeyFlowsClient } from "./client.js";
import { TurnkeyFlowError } from "./errors.js";
import { checkIssuedSession, type IssuedSession } from "./issued-session.js";
import { checkOidcToken, requireAllowList, type OauthAllowList, type OidcIdentity } from "./oidc-token.js";
import { createSubOrganization } from "./create-sub-organization.js";
import { createOnce, optionalStore } from "./signup-lock.js";
import { badResponse, callTurnkey, requireClient, resolveTimeout } from "./turnkey-call.js";
import { optionalSeconds, optionalString, requireObject, requirePublicKey, requireString } from "./validate.js";

/**
 * Input of {@link oauthLogin}.
 *
 * @example
 * ```ts
 * const input: OauthLoginInput = { client, parentOrganizationId, oidcToken, publicKey, allow: { issuers, audiences } };
 * ```
 */
export interface OauthLoginInput {
  client: Pick<TurnkeyFlowsClient, "oauthLogin" | "getSubOrgIds" | "createSubOrganization">;
  parentOrganizationId: string;
  /** The OIDC ID token the client got from the provider, requested with `nonce` = sha256(publicKey) (lowercase hex of the key's hex text). */
  oidcToken: string;
  /** The client's session key (compressed P-256 hex): the session JWT's `public_key`. */
  publicKey: string;
  /** The issuers and audiences (your OAuth client ids) accepted; any other token is refused before Turnkey is called. */
  allow: OauthAllowList;
  /** The provider's name recorded on a new user (Turnkey's `providerName`). Default: the token's issuer. */
  providerName?: string;
  /** Root user name if a sub-organization is created. Default: the token's subject. */
  userName?: string;
  /** Session lifetime, up to one year. Turnkey's default: 900. */
  expirationSeconds?: number;
  /** Invalidate the user's other sessions. */
  invalidateExisting?: boolean;
  /** Notarizer key the returned session must verify with; default Turnkey's production key. Ignored with `verifier`. */
  notarizerPublicKey?: string;
  /** A verifier to check the session with. Default: one for `notarizerPublicKey`. */
  verifier?: SessionVerifier;
  /** The current time in milliseconds (for the token's `exp` pre-check). Default `Date.now`. */
  now?: () => number;
  /**
   * The store your instances share (e.g. `createRedisStore`): with it, a first login locks the OIDC
   * identity cluster-wide (`signup:<sha-256 hex>`), so two instances never create two
   * sub-organizations for it. Without it the guarantee holds within this process only. A store
   * failure is a 503 `unavailable`: no account is created unguarded.
   */
  store?: SessionStore;
  timeoutMs?: number;
}

/**
 * Result of {@link oauthLogin}.
 *
 * @example
 * ```ts
 * const { session, organizationId, created }: OauthLoginResult = await oauthLogin(input);
 * ```
 */
export type OauthLoginResult = IssuedSession;

const MAX_SESSION_SECONDS = 31_536_000;
// Concurrent logins of one OIDC identity share one lookup-and-create, per client, so a
// double-submitted first login does not create two sub-organizations (within this process).
const pendingByClient = new WeakMap<object, Map<string, Promise<{ subOrganizationId: string; created: boolean }>>>();

/**
 * OAuth login, the backend half: checks the OIDC token against the allow-list (issuer, audience),
 * its expiry and its `nonce` (sha256 of `publicKey`), finds the sub-organization whose user logs in
 * with that OIDC identity (`getSubOrgIds`, filter `OIDC_TOKEN`: Turnkey matches iss, sub and aud) or
 * creates one with that OAuth provider, calls OAUTH_LOGIN, then verifies the session JWT with this
 * library's verifier and that it is for that sub-organization and key. Turnkey verifies the token's
 * signature against the issuer's keys. Every failure is a {@link TurnkeyFlowError}: 400 for a
 * token refused here or by Turnkey, 502 when Turnkey's session does not verify, 503 when Turnkey is
 * unavailable.
 *
 * @example
 * ```ts
 * const { session, organizationId, created } = await oauthLogin({
 *   client, parentOrganizationId, oidcToken, publicKey,
 *   allow: { issuers: ["https://accounts.google.com"], audiences: [process.env.GOOGLE_CLIENT_ID!] },
 * });
 * ```
 */
export async function oauthLogin(input: OauthLoginInput): Promise<OauthLoginResult> {
  requireObject(input, "input");
  const client = requireClient(input.client, "oauthLogin", "getSubOrgIds", "createSubOrganization");
  const parentOrganizationId = requireString(input.parentOrganizationId, "parentOrganizationId");
  const oidcToken = requireString(input.oidcToken, "oidcToken");
  const publicKey = requirePublicKey(input.publicKey, "publicKey");
  const allow = requireAllowList(input.allow, "allow");
  const expirationSeconds = optionalSeconds(input.expirationSeconds, "expirationSeconds", MAX_SESSION_SECONDS);
  const providerName = optionalString(input.providerName, "providerName");
  const userName = optionalString(input.userName, "userName");
  const timeoutMs = resolveTimeout(input.timeoutMs);
  const store = optionalStore(input.store);
  const verifier = input.verifier ?? createSessionVerifier({ trustedOrganizations: "any", ...(input.notarizerPublicKey === undefined ? {} : { notarizerPublicKey: input.notarizerPublicKey }), cache: false });
  const identity = await checkOidcToken(oidcToken, publicKey, allow, (input.now ?? Date.now)());

  let pending = pendingByClient.get(client);
  if (pending === undefined) {
    pending = new Map();
    pendingByClient.set(client, pending);
  }
  const key = `${parentOrganizationId}\u0000${identity.iss}\u0000${identity.sub}\u0000${identity.aud}`;
  let lookup = pending.get(key);
  if (lookup === undefined) {
    lookup = findOrCreate(client, parentOrganizationId, oidcToken, identity, providerName ?? identity.iss, userName ?? identity.sub, timeoutMs, store).finally(() => pending.delete(key));
    pending.set(key, lookup);
  }
  const { subOrganizationId, created } = await lookup;
  const answer = await callTurnkey(
    "OAuth login",
    timeoutMs,
    () =>
      client.oauthLogin({
        organizationId: subOrganizationId,
        oidcToken,
        publicKey,
        ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
        ...(input.invalidateExisting === true ? { invalidateExisting: true } : {}),
      }),
    { rejected: "Turnkey refused the login: the OIDC token was not accepted", forbidden: "Turnkey refused the login: the OIDC token is not bound to this public key" },
  );
  return checkIssuedSession(verifier, "OAuth login", answer?.session, { subOrganizationId, publicKey, created });
}

async function findOrCreate(
  client: OauthLoginInput["client"],
  parentOrganizationId: string,
  oidcToken: string,
  identity: OidcIdentity,
  providerName: string,
  userName: string,
  timeoutMs: number,
  store: SessionStore | undefined,
): Promise<{ subOrganizationId: string; created: boolean }> {
  const find = async (): Promise<{ subOrganizationId: string; created: boolean } | undefined> => {
    const found = await callTurnkey("find sub-organization", timeoutMs, () => client.getSubOrgIds({ organizationId: parentOrganizationId, filterType: "OIDC_TOKEN", filterValue: oidcToken }), {
      rejected: "Turnkey refused the OIDC token",
    });
    if (!Array.isArray(found?.organizationIds)) throw badResponse("find sub-organization", "no organizationIds");
    const existing = found.organizationIds.find((id) => typeof id === "string" && id.length > 0);
    return existing === undefined ? undefined : { subOrganizationId: existing, created: false };
  };
  const existing = await find();
  if (existing !== undefined) return existing;
  const create = async () => {
    const { subOrganizationId } = await createSubOrganization(client, {
      parentOrganizationId,
      name: `${identity.iss} ${identity.sub}`,
      rootUser: { userName, apiKeys: [], authenticators: [], oauthProviders: [{ providerName, oidcToken }] },
      timeoutMs,
      rejected: "Turnkey refused to create the account: the OIDC token was not accepted",
    });
    return { subOrganizationId, created: true };
  };
  if (store === undefined) return create();
  return createOnce({ store, identity: `${parentOrganizationId}\u0000${identity.iss}|${identity.sub}|${identity.aud}`, timeoutMs, find, create });
}

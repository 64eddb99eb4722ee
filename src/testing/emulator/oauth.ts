import { randomUUID } from "node:crypto";
import { activityRoute } from "./activity.js";
import { invalidArgument, notFound, permissionDenied } from "./api-error.js";
import type { EmulatorServices, RouteContext } from "./context.js";
import { isCompressedP256Hex } from "./keys.js";
import { oauthNonceOf, verifyOidcToken, type VerifiedOidcToken } from "./oidc-issuer.js";
import { objectAt, requiredString, secondsAt } from "./params.js";
import { DEFAULT_SESSION_SECONDS, issueSession, MAX_SESSION_SECONDS, refuseUnknownSessionProfile } from "./sessions.js";
import type { OrganizationRecord, UserRecord } from "./store.js";

/** An OAuth provider of a user (Turnkey's `v1OauthProvider`): the OIDC identity it logs in with. */
export interface OauthProviderRecord {
  readonly providerId: string;
  readonly providerName: string;
  readonly issuer: string;
  readonly audience: string;
  readonly subject: string;
}

function isOauthProvider(value: unknown): value is OauthProviderRecord {
  const provider = value as Partial<OauthProviderRecord> | null;
  return typeof provider?.issuer === "string" && typeof provider.subject === "string" && typeof provider.audience === "string";
}

/** Verifies an OIDC token against the emulator's known issuers, refusing it as Turnkey would. */
export function readOidcToken(services: EmulatorServices, token: string): VerifiedOidcToken {
  const verified = verifyOidcToken(token, services.oidcIssuers, services.now());
  if (typeof verified === "string") throw invalidArgument(verified);
  return verified;
}

/** Whether a user logs in with this OIDC identity (issuer, subject and audience all equal). */
export function hasOidcIdentity(user: UserRecord, token: VerifiedOidcToken): boolean {
  return user.oauthProviders.some((provider) => isOauthProvider(provider) && provider.issuer === token.iss && provider.subject === token.sub && provider.audience === token.aud);
}

/** The `list_suborgs` filter `OIDC_TOKEN`: sub-organizations with a user of the (verified) token's identity. */
export function oidcTokenFilter(services: EmulatorServices, filterValue: string): (organization: OrganizationRecord) => boolean {
  const token = readOidcToken(services, filterValue);
  return (organization) => [...organization.users.values()].some((user) => hasOidcIdentity(user, token));
}

/** A root user's `oauthProviders[i]` `{ providerName, oidcToken }`: the token is verified, its identity kept. */
export function parseOauthProvider(services: EmulatorServices, value: unknown, what: string): OauthProviderRecord {
  const input = objectAt(value, what);
  const token = readOidcToken(services, requiredString(input, "oidcToken", `${what}.oidcToken`));
  return { providerId: randomUUID(), providerName: requiredString(input, "providerName", `${what}.providerName`), issuer: token.iss, audience: token.aud, subject: token.sub };
}

/**
 * OAUTH_LOGIN on a (sub-)organization: `{ oidcToken, publicKey, expirationSeconds?,
 * invalidateExisting?, sessionProfileId? }` → `{ session }`. The token must verify (a known issuer's
 * key, unexpired), carry `nonce` = sha256 of `publicKey`'s hex text (binding it to this session key),
 * and be the identity of one of the organization's users.
 */
async function oauthLogin(context: RouteContext, parameters: Record<string, unknown>) {
  const token = readOidcToken(context, requiredString(parameters, "oidcToken"));
  const publicKey = requiredString(parameters, "publicKey");
  if (!isCompressedP256Hex(publicKey)) throw invalidArgument("publicKey must be a compressed P-256 public key in hex");
  if (token.nonce !== oauthNonceOf(publicKey)) throw permissionDenied("the OIDC token's nonce is not sha256(publicKey): it was issued for another key");
  const user = [...context.store.organization(context.organizationId).users.values()].find((candidate) => hasOidcIdentity(candidate, token));
  if (user === undefined) throw notFound("no user of this organization has the OIDC token's identity as an OAuth provider");
  const expirationSeconds = secondsAt(parameters, "expirationSeconds", DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS);
  refuseUnknownSessionProfile(parameters);
  const session = await issueSession(context, {
    organizationId: context.organizationId,
    userId: user.userId,
    publicKey: publicKey.toLowerCase(),
    expirationSeconds,
    invalidateExisting: parameters.invalidateExisting === true,
    source: "oauth_login",
  });
  return { session };
}

/** POST /public/v1/submit/oauth_login. */
export const oauthLoginRoute = activityRoute({ ACTIVITY_TYPE_OAUTH_LOGIN: { intentKey: "oauthLoginIntent", resultKey: "oauthLoginResult", run: oauthLogin } });

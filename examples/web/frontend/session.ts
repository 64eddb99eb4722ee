// After login: the backend's protected routes with requests signed by the session key (DPoP),
// refresh, and logout.
import type { Session, TurnkeyClient } from "@turnkey/core";
import { dpopFetch } from "../../../src/client/index.js";
import { getSigned, getUnsigned, type SessionFetch } from "./backend.js";
import { short, StepError, type Story } from "./story.js";

/** The stored session, or a StepError asking to log in. */
export async function currentSession(client: TurnkeyClient): Promise<Session> {
  const session = await client.getSession();
  if (session === undefined) throw new StepError("No session: sign up or log in first.");
  return session;
}

/**
 * A fetch sending `Authorization: DPoP <session JWT>` and a fresh RFC 9449 proof, signed in
 * IndexedDB by the session key through `signWithApiKey` (raw r‖s over SHA-256: ES256).
 */
export function signedFetch(client: TurnkeyClient, session: Session): SessionFetch {
  const publicKey = session.publicKey;
  if (publicKey === undefined) throw new StepError("The session names no key: log in again.");
  return dpopFetch({ token: session.token, sign: (message) => client.signWithApiKey({ message, publicKey }) });
}

/**
 * GET /me, then the wallets route of the session's own organization (200) and of another
 * organization (403): the route's policy compares the URL's organization with the session's.
 */
export async function callProtectedRoutes(client: TurnkeyClient, otherOrganizationId: string, story: Story): Promise<void> {
  const session = await currentSession(client);
  const send = signedFetch(client, session);
  story.frontend(`getSession() read the stored session; dpopFetch sends its JWT as "Authorization: DPoP …" with a "DPoP" proof signed by the session key ${short(session.publicKey ?? "?")} (signWithApiKey).`);

  const me = await getSigned("/me", send);
  story.answer("GET /me", me.status, me.body);
  if (me.status !== 200) throw new StepError(`GET /me answered ${me.status}`);
  story.backend(`turnkeyAuth checked the proof (method, URL, age, token hash, signed by the JWT's public_key, never used before), verified the JWT (Turnkey's notarizer signature, expiry) and that ${short(session.organizationId)} is one of the parent's sub-organizations (asked Turnkey once, then cached).`);

  const own = await getSigned(`/orgs/${session.organizationId}/wallets`, send);
  story.answer(`GET /orgs/${short(session.organizationId)}/wallets (yours)`, own.status, own.body);
  const other = await getSigned(`/orgs/${otherOrganizationId}/wallets`, send);
  story.answer(`GET /orgs/${short(otherOrganizationId)}/wallets (another organization)`, other.status, other.body);
  if (own.status !== 200 || other.status !== 403) throw new StepError(`expected 200 then 403, got ${own.status} then ${other.status}`);
  story.backend(`organizationFromParam("orgId") let your organization's URL through and refused the other one: 403.`);
  story.turnkey("Only for the trust check, the first time the backend sees this organization: get_user with the parent's API key (the answer is cached). The JWT itself is checked without Turnkey.");
}

/**
 * `refreshSession()`: a new session key, and `stampLogin` signed by the current session key.
 * The old session stays valid at Turnkey until it expires (`invalidateExisitng` would end it).
 */
export async function refreshSession(client: TurnkeyClient, story: Story): Promise<void> {
  const before = await currentSession(client);
  await client.refreshSession({ expirationSeconds: "900" });
  const after = await currentSession(client);
  story.frontend(`refreshSession(): a new key pair, then stampLogin signed (X-Stamp) by the current session key ${short(before.publicKey ?? "?")}.`);
  story.turnkey(`STAMP_LOGIN: a new session JWT for key ${short(after.publicKey ?? "?")}, expiring ${timeOf(after.expiry)} (the previous one: ${timeOf(before.expiry)}).`);
  const me = await getSigned("/me", signedFetch(client, after));
  story.answer("GET /me with the new session, signed by its new key", me.status, me.body);
  if (me.status !== 200 || after.publicKey === before.publicKey) throw new StepError(`expected a new session key and 200, got ${me.status}`);
}

/**
 * `logout()`: @turnkey/core forgets the session and deletes its key pair; it tells no server.
 * The JWT itself stays valid until `exp`, but with its key gone no proof can be made for it.
 */
export async function logout(client: TurnkeyClient, story: Story): Promise<void> {
  const { token } = await currentSession(client);
  await client.logout();
  story.frontend(`logout(): removed the session from localStorage and its key pair from IndexedDB. No request: logout is local.`);
  const after = await client.getSession();
  const none = await getUnsigned("/me", after?.token);
  story.answer("GET /me without a session", none.status, none.body);
  const old = await getUnsigned("/me", token);
  story.answer("GET /me with the logged-out JWT (kept in memory for this demo), without a proof: its key is deleted", old.status, old.body);
  story.backend(
    `The backend verifies JWTs on its own (no call to Turnkey): the logged-out JWT has not expired, and a backend taking bare tokens would accept it until then. This one requires a proof signed by the session key, which logout deleted.`,
  );
  if (after !== undefined || none.status !== 401 || old.status !== 401) throw new StepError(`expected no session and 401 twice, got ${none.status} and ${old.status}`);
}

/** A session's expiry as local time. */
export function timeOf(expirySeconds: number): string {
  return new Date(expirySeconds * 1000).toLocaleTimeString();
}

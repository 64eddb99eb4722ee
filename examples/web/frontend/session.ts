// After login: the backend's protected routes with the session JWT, refresh, and logout.
import type { Session, TurnkeyClient } from "@turnkey/core";
import { getProtected } from "./backend.js";
import { short, StepError, type Story } from "./story.js";

async function currentSession(client: TurnkeyClient): Promise<Session> {
  const session = await client.getSession();
  if (session === undefined) throw new StepError("No session: sign up or log in first.");
  return session;
}

/**
 * GET /me, then the wallets route of the session's own organization (200) and of another
 * organization (403): the route's policy compares the URL's organization with the session's.
 */
export async function callProtectedRoutes(client: TurnkeyClient, otherOrganizationId: string, story: Story): Promise<void> {
  const session = await currentSession(client);
  story.frontend(`getSession() read the stored session; each call sends its JWT as "Authorization: Bearer …".`);

  const me = await getProtected("/me", session.token);
  story.answer("GET /me", me.status, me.body);
  if (me.status !== 200) throw new StepError(`GET /me answered ${me.status}`);
  story.backend(`turnkeyAuth verified the JWT (Turnkey's notarizer signature, expiry) and that ${short(session.organizationId)} is one of the parent's sub-organizations (asked Turnkey once, then cached).`);

  const own = await getProtected(`/orgs/${session.organizationId}/wallets`, session.token);
  story.answer(`GET /orgs/${short(session.organizationId)}/wallets (yours)`, own.status, own.body);
  const other = await getProtected(`/orgs/${otherOrganizationId}/wallets`, session.token);
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
  const me = await getProtected("/me", after.token);
  story.answer("GET /me with the new session", me.status, me.body);
  if (me.status !== 200 || after.publicKey === before.publicKey) throw new StepError(`expected a new session key and 200, got ${me.status}`);
}

/**
 * `logout()`: @turnkey/core forgets the session and deletes its key pair; it tells no server.
 * The JWT itself stays valid until `exp`, which the backend shows when given the old token.
 */
export async function logout(client: TurnkeyClient, story: Story): Promise<void> {
  const { token } = await currentSession(client);
  await client.logout();
  story.frontend(`logout(): removed the session from localStorage and its key pair from IndexedDB. No request: logout is local.`);
  const after = await client.getSession();
  const none = await getProtected("/me", after?.token);
  story.answer("GET /me without a session", none.status, none.body);
  const old = await getProtected("/me", token);
  story.answer("GET /me with the logged-out JWT (kept in memory for this demo)", old.status, old.body);
  story.backend(`The backend verifies JWTs on its own (no call to Turnkey), so it accepts a logged-out JWT until its expiry: keep sessions short.`);
  if (after !== undefined || none.status !== 401) throw new StepError(`expected no session and 401, got ${none.status}`);
}

/** A session's expiry as local time. */
export function timeOf(expirySeconds: number): string {
  return new Date(expirySeconds * 1000).toLocaleTimeString();
}

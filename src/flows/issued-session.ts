import { isTurnkeyAuthError } from "../errors.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import { TurnkeyFlowError } from "./errors.js";
import { badResponse } from "./turnkey-call.js";

/** What a login flow returns: the session JWT Turnkey issued, checked, and who it is for. */
export interface IssuedSession {
  /** The session JWT, verified: return it to the client (never log it). */
  session: string;
  /** The user's sub-organization. */
  organizationId: string;
  userId: string;
  /** The session's `exp`, seconds since the epoch. */
  expiresAt: number;
  /** `true` when this login created the sub-organization (first login = sign-up). */
  created: boolean;
}

/**
 * Checks the session a login activity returned before handing it to the client: it verifies under
 * `verifier` (so a misconfigured notarizer key fails here, not on the first request) and names the
 * sub-organization and key the login asked for.
 */
export async function checkIssuedSession(
  verifier: SessionVerifier,
  login: string,
  jwt: unknown,
  expected: { subOrganizationId: string; publicKey: string; created: boolean },
): Promise<IssuedSession> {
  if (typeof jwt !== "string" || jwt.length === 0) throw badResponse(login, "no session");
  const session = await verifier.verify(jwt).catch((error: unknown) => {
    if (!isTurnkeyAuthError(error) || error.code === "unavailable") throw error;
    throw new TurnkeyFlowError("bad_upstream_response", `Turnkey's session did not verify (${error.code}): check notarizerPublicKey`, { cause: error });
  });
  if (session.organizationId !== expected.subOrganizationId || session.publicKey.toLowerCase() !== expected.publicKey.toLowerCase()) {
    throw badResponse(login, "the session is for another organization or key");
  }
  return { session: jwt, organizationId: expected.subOrganizationId, userId: session.userId, expiresAt: session.expiresAt, created: expected.created };
}

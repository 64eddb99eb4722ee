import { withTurnkeySession } from "turnkey-session-auth/fetch";
import { auth } from "../../../lib/auth";

// GET /api/me: the handler runs only for a verified session; anything else gets the 401 answer.
export const GET = withTurnkeySession((_request, session) => {
  const { userId, organizationId, sessionType, expiresAt } = session;
  return Response.json({ userId, organizationId, sessionType, expiresAt });
}, auth);

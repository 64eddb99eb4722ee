import { organizationFromParam } from "turnkey-session-auth";
import { withTurnkeySession } from "turnkey-session-auth/fetch";
import { auth } from "../../../../../lib/auth";

// GET /api/orgs/:orgId/wallets: only members of that organization (403 otherwise). The policy reads
// the route's params, which withTurnkeySession awaits from Next.js's second argument.
export const GET = withTurnkeySession(
  (_request, session, _context: { params: Promise<{ orgId: string }> }) => Response.json({ organizationId: session.organizationId, wallets: [] }),
  auth,
  organizationFromParam("orgId"),
);

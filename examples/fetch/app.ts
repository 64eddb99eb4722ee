// One app for every runtime that speaks web Request/Response (Bun, Deno, Cloudflare Workers): the
// runtime's own server file (examples/bun, examples/deno, examples/worker) only hands it requests.
import { authenticateRequest, withTurnkeySession, type FetchTurnkeyAuthOptions } from "../../src/adapters/fetch.js";
import { organizationFromParam, type VerifyOptions } from "../../src/index.js";

const WALLETS = /^\/orgs\/([^/]+)\/wallets$/;

export function createApp(auth: FetchTurnkeyAuthOptions & { optional?: false }): (request: Request) => Promise<Response> {
  // The handler runs only for a verified session; anything else gets the 401/403 answer.
  const me = withTurnkeySession((_request, session) => {
    const { userId, organizationId, sessionType, expiresAt } = session;
    return Response.json({ userId, organizationId, sessionType, expiresAt });
  }, auth);

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return Response.json({ ok: true });
    if (pathname === "/me") return me(request);
    const wallets = WALLETS.exec(pathname);
    if (wallets !== null) {
      // Only members of the organization in the URL get in (403 otherwise).
      const params = { orgId: wallets[1] };
      const session = await authenticateRequest(request, auth, { params, policies: [organizationFromParam("orgId")] });
      if (session instanceof Response) return session;
      return Response.json({ organizationId: session?.organizationId, wallets: [] });
    }
    return Response.json({ error: "not_found" }, { status: 404 });
  };
}

/**
 * The options from the environment: `TURNKEY_TRUSTED_ORGANIZATIONS` (comma-separated ids, required)
 * and `TURNKEY_NOTARIZER_PUBLIC_KEY` (default: Turnkey's production key).
 */
export function authFromEnv(env: Readonly<Record<string, string | undefined>>): VerifyOptions {
  const trusted = (env.TURNKEY_TRUSTED_ORGANIZATIONS ?? "").split(",").map((id) => id.trim()).filter((id) => id !== "");
  if (trusted.length === 0) throw new Error("Set TURNKEY_TRUSTED_ORGANIZATIONS to the organization ids whose sessions to trust (comma-separated)");
  const notarizerPublicKey = env.TURNKEY_NOTARIZER_PUBLIC_KEY?.trim();
  return notarizerPublicKey ? { trustedOrganizations: trusted, notarizerPublicKey } : { trustedOrganizations: trusted };
}

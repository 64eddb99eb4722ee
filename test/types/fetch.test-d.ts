import type { NextRequest } from "next/server";
import { describe, expectTypeOf, it } from "vitest";
import { authenticateRequest, withTurnkeySession, type FetchRoute, type FetchTurnkeyAuthOptions } from "../../src/adapters/fetch.js";
import { organizationFromParam, type TurnkeyAuthError, type TurnkeySession } from "../../src/index.js";

const options = { trustedOrganizations: ["org-id"] } satisfies FetchTurnkeyAuthOptions;

describe("fetch", () => {
  it("authenticateRequest resolves to the session, undefined (optional) or a refusal Response", () => {
    expectTypeOf(authenticateRequest(new Request("http://x/"), options)).toEqualTypeOf<Promise<TurnkeySession | undefined | Response>>();
    expectTypeOf(authenticateRequest).parameter(2).toEqualTypeOf<FetchRoute | undefined>();
    expectTypeOf<FetchRoute["params"]>().toEqualTypeOf<Readonly<Record<string, string | undefined>> | undefined>();
  });

  it("withTurnkeySession gives the handler a session, which may be undefined only when optional", () => {
    withTurnkeySession((_request, session) => {
      expectTypeOf(session).toEqualTypeOf<TurnkeySession>();
      return new Response();
    }, options);
    withTurnkeySession((_request, session) => {
      expectTypeOf(session).toEqualTypeOf<TurnkeySession | undefined>();
      return new Response();
    }, { ...options, optional: true });
    // @ts-expect-error an optional route may see no session: the handler must accept undefined
    withTurnkeySession((_request: Request, session: TurnkeySession) => Response.json(session.userId), { ...options, optional: true as const });
  });

  it("keeps the request type and the handler's other arguments (a Next.js route handler's context)", () => {
    const GET = withTurnkeySession(
      (request: NextRequest, _session, context: { params: Promise<{ orgId: string }> }) => Response.json({ path: request.nextUrl.pathname, context }),
      options,
      organizationFromParam("orgId"),
    );
    expectTypeOf(GET).toEqualTypeOf<(request: NextRequest, context: { params: Promise<{ orgId: string }> }) => Promise<Response>>();
  });

  it("onError gets the error and the request, and answers a Response", () => {
    expectTypeOf<NonNullable<FetchTurnkeyAuthOptions["onError"]>>().toEqualTypeOf<(error: TurnkeyAuthError, request: Request) => Response | Promise<Response>>();
    // @ts-expect-error the handler must answer a Response
    withTurnkeySession(() => "text", options);
  });
});

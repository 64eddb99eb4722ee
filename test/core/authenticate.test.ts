import { describe, expect, it } from "vitest";
import { createAuthenticator, definePolicy, describeFailure, TurnkeyAuthError, type RequestLike } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

const notarizer = createTestNotarizer();

function request(headers: Record<string, string> = {}): RequestLike {
  return { method: "GET", path: "/me", params: {}, query: {}, headers };
}

describe("createAuthenticator", () => {
  it("authenticates a bearer token and runs the policies", async () => {
    const authenticator = createAuthenticator({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey });
    const token = await notarizer.sign({ organization_id: "org-1" });
    const result = await authenticator.authenticate(request({ authorization: `Bearer ${token}` }), undefined);
    expect(result.session?.organizationId).toBe("org-1");
    expect(result.failure).toBeUndefined();
  });

  it("describes a missing token as 401 without an error attribute", async () => {
    const authenticator = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey });
    const { failure } = await authenticator.authenticate(request(), undefined);
    expect(failure).toMatchObject({
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="turnkey"' },
      body: { error: "missing_token" },
      forward: false,
    });
  });

  it("optional: no token passes with no session, a bad token still fails", async () => {
    const authenticator = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, optional: true });
    expect(await authenticator.authenticate(request(), undefined)).toEqual({ session: undefined });
    const { failure } = await authenticator.authenticate(request({ authorization: "Bearer a.b.c" }), undefined);
    expect(failure?.body.error).toBe("malformed_token");
  });

  it("uses getToken with the framework's own request", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" });
    const authenticator = createAuthenticator<{ custom: string }>({
      trustedOrganizations: "any",
      notarizerPublicKey: notarizer.publicKey,
      getToken: (native) => native.custom,
    });
    expect((await authenticator.authenticate(request(), { custom: token })).session?.organizationId).toBe("org-1");
  });

  it("adds extra policies on top and reuses an existing session", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" });
    const authenticator = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey });
    const { session } = await authenticator.authenticate(request({ authorization: `Bearer ${token}` }), undefined);
    const deny = definePolicy("deny", () => false);
    const { failure } = await authenticator.authenticate(request(), undefined, [deny], session);
    expect(failure).toMatchObject({ status: 403, body: { error: "forbidden", message: 'Access denied by policy "deny"' } });
    expect(failure?.headers["www-authenticate"]).toContain('error="insufficient_scope"');
  });

  it("marks a policy that threw for the framework's error path, with a 503", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" });
    const bug = new Error("bug in policy");
    const authenticator = createAuthenticator({
      trustedOrganizations: "any",
      notarizerPublicKey: notarizer.publicKey,
      policies: [definePolicy("buggy", () => { throw bug; })],
    });
    const { failure } = await authenticator.authenticate(request({ authorization: `Bearer ${token}` }), undefined);
    expect(failure).toMatchObject({ status: 503, forward: true, headers: {} });
    expect(failure?.error.cause).toBe(bug);
  });

  it("checks adapter options at construction", () => {
    const base = { trustedOrganizations: "any" as const };
    expect(() => createAuthenticator({ ...base, policies: [42 as never] })).toThrow(/"policies"/);
    expect(() => createAuthenticator({ ...base, cookieName: "bad name;" })).toThrow(/"cookieName"/);
    expect(() => createAuthenticator({ ...base, policyTimeout: 0 })).toThrow(/"policyTimeout"/);
    expect(() => createAuthenticator({ ...base, getToken: "header" as never })).toThrow(/"getToken"/);
    expect(() => createAuthenticator({ ...base, verifier: {} as never })).toThrow(/"verifier"/);
    expect(() => createAuthenticator({} as never)).toThrow(/"trustedOrganizations"/);
  });
});

describe("describeFailure", () => {
  it("turns anything unexpected into a 503 for the error path", () => {
    const failure = describeFailure(new RangeError("bug"), "api", false);
    expect(failure).toMatchObject({ status: 503, forward: true, body: { error: "unavailable" } });
  });

  it("forwards everything when asked", () => {
    expect(describeFailure(new TurnkeyAuthError("token_expired", "The token has expired"), "api", true).forward).toBe(true);
  });
});

describe("optional mode and route policies", () => {
  it("lets an anonymous request through the app-wide middleware but not past a route's policies", async () => {
    const authenticator = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, optional: true });
    expect((await authenticator.authenticate(request(), undefined)).failure).toBeUndefined();
    const routePolicy = definePolicy("route", () => true);
    const { failure } = await authenticator.authenticate(request(), undefined, [routePolicy]);
    expect(failure?.body.error).toBe("missing_token");
  });
});

import { describe, expect, it } from "vitest";
import { whenAuthenticated } from "../../src/http/authenticate.js";
import { canonicalPolicyPath, createAuthenticator, definePolicy, describeFailure, TurnkeyAuthError, type AuthResult, type RequestLike } from "../../src/index.js";
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

describe("ambiguous request targets", () => {
  // A request view whose path is computed as the adapters compute it, counting the reads.
  function viewOf(target: string, headers: Record<string, string> = {}): RequestLike & { reads: number } {
    const matching = { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false };
    return {
      reads: 0,
      method: "GET",
      get path() {
        this.reads += 1;
        return canonicalPolicyPath(target, matching);
      },
      params: {},
      query: {},
      headers,
    };
  }

  it("are refused with 400 invalid_request and its challenge before any policy or token check, wherever policies would run, and only there", async () => {
    let policyCalls = 0;
    const counted = definePolicy("counted", () => (policyCalls++, true));
    const appWide = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, policies: [counted] });
    // No token at all: the target is judged first.
    expect(appWide.authenticate(viewOf("/admin/%2e%2e"), undefined)).toMatchObject({
      failure: {
        status: 400,
        forward: false,
        body: { error: "invalid_request", message: "The request path has a dot segment" },
        headers: { "www-authenticate": 'Bearer realm="turnkey", error="invalid_request", error_description="The request path has a dot segment"' },
      },
    });
    const token = await notarizer.sign({ organization_id: "org-1" });
    const routeOnly = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey });
    const { session } = await routeOnly.authenticate(viewOf("/me", { authorization: `Bearer ${token}` }), undefined);
    expect(routeOnly.authenticate(viewOf("//admin"), undefined, [counted], session)).toMatchObject({ failure: { status: 400 } });
    expect(routeOnly.authenticate(viewOf("/a%2fb", { authorization: `Bearer ${token}` }), undefined, [counted])).toMatchObject({ failure: { status: 400 } });
    expect(policyCalls).toBe(0);
    // forwardErrors hands it to the framework's error path like any refusal.
    const forwarding = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, policies: [counted], forwardErrors: true });
    expect(forwarding.authenticate(viewOf("/a\\b"), undefined)).toMatchObject({ failure: { status: 400, forward: true, error: { code: "invalid_request", statusCode: 400 } } });
    // Where no policy runs, nothing judges the path: it is not even read.
    const unchecked = viewOf("/admin/%2e%2e", { authorization: `Bearer ${token}` });
    expect((await routeOnly.authenticate(unchecked, undefined)).session?.organizationId).toBe("org-1");
    expect(unchecked.reads).toBe(0);
  });

  it("policies see the canonical path", async () => {
    const seen: string[] = [];
    const record = definePolicy("record", ({ request }) => (seen.push(request.path), true));
    const token = await notarizer.sign({ organization_id: "org-1" });
    const authenticator = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey, policies: [record] });
    const result = await authenticator.authenticate(viewOf("/ORGS/org-%32/Whoami/?x", { authorization: `Bearer ${token}` }), undefined);
    expect(result.session?.organizationId).toBe("org-1");
    expect(seen).toEqual(["/orgs/org-2/whoami"]);
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

describe("createAuthenticator: a known session settles without a promise", () => {
  const bearer = (token: string) => request({ authorization: `Bearer ${token}` });

  it("returns the first verification as a promise and every cached one as a plain result", async () => {
    const authenticator = createAuthenticator({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey });
    const token = await notarizer.sign({ organization_id: "org-1" });
    const first = authenticator.authenticate(bearer(token), undefined);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).session?.organizationId).toBe("org-1");
    const cached = authenticator.authenticate(bearer(token), undefined);
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as AuthResult).session?.organizationId).toBe("org-1");
  });

  it("refuses synchronously what is known at once (no token, untrusted cached session, denying policy)", async () => {
    const token = await notarizer.sign({ organization_id: "org-2" });
    const lenient = createAuthenticator({ trustedOrganizations: "any", notarizerPublicKey: notarizer.publicKey });
    await lenient.authenticate(bearer(token), undefined);
    expect(lenient.authenticate(request(), undefined)).toMatchObject({ failure: { body: { error: "missing_token" } } });
    const deny = definePolicy("deny", () => false);
    expect(lenient.authenticate(bearer(token), undefined, [deny])).toMatchObject({ failure: { status: 403 } });
    const listed = createAuthenticator({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey });
    expect(await listed.authenticate(bearer(token), undefined)).toMatchObject({ failure: { body: { error: "untrusted_organization" } } });
    expect(listed.authenticate(bearer(token), undefined)).toMatchObject({ failure: { body: { error: "untrusted_organization" } } });
  });

  it("stays synchronous with a trust resolver that answers synchronously (as subOrganizationsOf from its cache)", async () => {
    const asked: string[] = [];
    const authenticator = createAuthenticator({
      trustedOrganizations: (organizationId) => (asked.push(organizationId), organizationId === "org-1"),
      notarizerPublicKey: notarizer.publicKey,
    });
    const token = await notarizer.sign({ organization_id: "org-1" });
    await authenticator.authenticate(bearer(token), undefined);
    const cached = authenticator.authenticate(bearer(token), undefined);
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as AuthResult).session?.organizationId).toBe("org-1");
    expect(asked).toEqual(["org-1", "org-1"]); // trust is asked on every request, cached or not
  });

  it("waits for an asynchronous trust answer or policy, any thenable included, and fails closed when it throws", async () => {
    const token = await notarizer.sign({ organization_id: "org-1" });
    const thenable = (value: boolean): PromiseLike<boolean> => ({ then: (resolve) => Promise.resolve(value).then(resolve) });
    const viaThenable = createAuthenticator({ trustedOrganizations: () => thenable(true), notarizerPublicKey: notarizer.publicKey });
    await viaThenable.authenticate(bearer(token), undefined);
    const pending = viaThenable.authenticate(bearer(token), undefined);
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).session?.organizationId).toBe("org-1");

    const refusing = createAuthenticator({ trustedOrganizations: () => thenable(false), notarizerPublicKey: notarizer.publicKey });
    expect(await refusing.authenticate(bearer(token), undefined)).toMatchObject({ failure: { body: { error: "untrusted_organization" } } });
    const throwing = createAuthenticator({
      trustedOrganizations: () => {
        throw new Error("directory down");
      },
      notarizerPublicKey: notarizer.publicKey,
    });
    expect(await throwing.authenticate(bearer(token), undefined)).toMatchObject({ failure: { status: 503, forward: true } });

    const slowPolicy = createAuthenticator({ verifier: viaThenable.verifier, policies: [definePolicy("later", async () => true)] });
    const afterPolicy = slowPolicy.authenticate(bearer(token), undefined);
    expect(afterPolicy).toBeInstanceOf(Promise);
    expect((await afterPolicy).session?.userId).toBeDefined();
  });
});

describe("whenAuthenticated", () => {
  it("answers a plain result at once and a promised one on settlement, passing the adapter's arguments", async () => {
    const answer = (result: AuthResult, a: string, b: number) => `${a}${b}:${result.session === undefined ? "anonymous" : "session"}`;
    expect(whenAuthenticated({ session: undefined }, answer, "x", 1)).toBe("x1:anonymous");
    const later = whenAuthenticated(Promise.resolve<AuthResult>({ session: undefined }), answer, "y", 2);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe("y2:anonymous");
  });
});

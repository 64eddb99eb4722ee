// The engine behind the adapters, through the adapter kit (turnkey-session-auth/adapter).
import { describe, expect, it, vi } from "vitest";
import { createAuthenticator, describeFailure, whenAuthenticated, type AuthResult } from "../../src/adapter.js";
import { createSessionVerifier, definePolicy, TurnkeyAuthError, type TurnkeySession } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { bearer, testReader, type TestRequest } from "../helpers/http/kit.js";

const notarizer = createTestNotarizer();
const base = { trustedOrganizations: "any" as const, notarizerPublicKey: notarizer.publicKey };
const authenticatorWith = (options: Record<string, unknown> = {}) => createAuthenticator<TestRequest>({ ...base, ...options }, testReader);
const token = () => notarizer.sign({ organization_id: "org-1" });

describe("createAuthenticator", () => {
  it("authenticates a bearer token and runs the policies", async () => {
    const seen: string[] = [];
    const authenticator = authenticatorWith({ trustedOrganizations: ["org-1"], policies: [definePolicy("record", ({ session }) => (seen.push(session.organizationId), true))] });
    const result = await authenticator.authenticate(bearer(await token()));
    expect(result.session?.organizationId).toBe("org-1");
    expect(result.failure).toBeUndefined();
    expect(seen).toEqual(["org-1"]);
  });

  it("describes a missing token as 401 without an error attribute", async () => {
    const { failure } = await authenticatorWith().authenticate({});
    expect(failure).toMatchObject({
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="turnkey"' },
      body: { error: "missing_token" },
      forward: false,
    });
  });

  it("optional: no token passes with no session, a bad token still fails, a route's own policies still need one", async () => {
    const authenticator = authenticatorWith({ optional: true });
    expect(await authenticator.authenticate({})).toEqual({ session: undefined });
    expect((await authenticator.authenticate(bearer("a.b.c"))).failure?.body.error).toBe("malformed_token");
    expect((await authenticator.authenticate({}, [definePolicy("route", () => true)])).failure?.body.error).toBe("missing_token");
  });

  it("reads the headers only when the raw list cannot answer: Node builds req.headers on first read", async () => {
    const signed = await token();
    let headerReads = 0;
    const reader = { ...testReader, headers: (request: TestRequest) => (headerReads++, testReader.headers(request)) };
    const authenticator = createAuthenticator<TestRequest>({ ...base, cookieName: "session" }, reader);
    const raw = (...pairs: string[]): TestRequest => ({ rawHeaders: pairs, headers: Object.fromEntries([[pairs[0]?.toLowerCase(), pairs[1]]]) });
    expect((await authenticator.authenticate(raw("Authorization", `Bearer ${signed}`))).session?.organizationId).toBe("org-1");
    expect(headerReads).toBe(0);
    // No Authorization: the cookie is read from the headers.
    expect((await authenticator.authenticate(raw("Cookie", `session=${signed}`))).session?.organizationId).toBe("org-1");
    expect(headerReads).toBe(1);
  });

  it("uses getToken with the framework's own request (an empty answer is no token)", async () => {
    const signed = await token();
    const authenticator = createAuthenticator<TestRequest & { custom?: string }>({ ...base, getToken: (request) => request.custom }, testReader);
    expect((await authenticator.authenticate({ custom: signed })).session?.organizationId).toBe("org-1");
    expect((await authenticator.authenticate({ custom: "" })).failure?.body.error).toBe("missing_token");
  });

  it("route policies reuse the session this authenticator granted to the same request, and only to it", async () => {
    let configuredCalls = 0;
    const counted = definePolicy("counted", () => (configuredCalls++, true));
    const authenticator = authenticatorWith({ policies: [counted] });
    const deny = definePolicy("deny", () => false);
    const request = bearer(await token());
    const { session } = await authenticator.authenticate(request);
    expect(configuredCalls).toBe(1);
    const routeResult = authenticator.authenticate(request, [definePolicy("allow", () => true)]);
    expect(routeResult).toEqual({ session }); // reused: no verification, no second run of the configured policies
    expect(configuredCalls).toBe(1);
    expect(authenticator.authenticate(request, [deny])).toMatchObject({ failure: { status: 403, body: { error: "forbidden", message: 'Access denied by policy "deny"' } } });
    await expect(authenticator.authenticate(request, [definePolicy("later", async () => false)])).resolves.toMatchObject({ failure: { status: 403 } });
    // Another request (even one sharing the holder) and another authenticator authenticate for themselves.
    const other = authenticator.authenticate({ holder: request }, [deny]);
    expect(other).toMatchObject({ failure: { body: { error: "missing_token" } } });
    const stricter = authenticatorWith({ policies: [definePolicy("admins", () => false)] });
    expect(await stricter.authenticate(request, [])).toMatchObject({ failure: { status: 403, error: { policy: "admins" } } });
    expect(Object.keys(request)).toEqual(["headers"]); // kept under a symbol: nothing a string key or JSON shows
  });

  it("a policy that threw is unexpected: 503 for the framework's error path, with its cause", async () => {
    const bug = new Error("bug in policy");
    const authenticator = authenticatorWith({ policies: [definePolicy("buggy", () => { throw bug; })] });
    const { failure } = await authenticator.authenticate(bearer(await token()));
    expect(failure).toMatchObject({ status: 503, forward: true, headers: {}, error: { unexpected: true, policy: "buggy" } });
    expect(failure?.error.cause).toBe(bug);
  });

  it("getToken or a trust function that throws is unexpected too; a TurnkeyAuthError they throw is not", async () => {
    const signed = await token();
    const throwingGetToken = createAuthenticator<TestRequest>({ ...base, getToken: () => { throw new RangeError("bug"); } }, testReader);
    expect(await throwingGetToken.authenticate({})).toMatchObject({ failure: { status: 503, forward: true } });
    const outage = new TurnkeyAuthError("unavailable", "Turnkey is unavailable");
    const down = authenticatorWith({ trustedOrganizations: () => Promise.reject(outage) });
    expect(await down.authenticate(bearer(signed))).toMatchObject({ failure: { status: 503, forward: false, body: { message: "Turnkey is unavailable" } } });
    const broken = authenticatorWith({ trustedOrganizations: () => { throw new Error("directory down"); } });
    expect(await broken.authenticate(bearer(signed))).toMatchObject({ failure: { status: 503, forward: true } });
  });

  it("checks options at construction, naming the option", () => {
    const construct = (options: Record<string, unknown>) => () => createAuthenticator({ ...base, ...options } as never, testReader);
    expect(construct({ policies: [42] })).toThrow(/"policies"/);
    expect(construct({ cookieName: "bad name;" })).toThrow(/"cookieName"/);
    expect(construct({ policyTimeout: 0 })).toThrow(/"policyTimeout"/);
    expect(construct({ getToken: "header" })).toThrow(/"getToken"/);
    expect(construct({ realm: "" })).toThrow(/"realm"/);
    expect(construct({ onError: "log" })).toThrow(/"onError"/);
    expect(construct({ verifier: {} })).toThrow(/"verifier"/);
    expect(construct({ verifier: { verify: async () => ({}) } })).toThrow(/"verifier"/); // no cached()
    expect(() => createAuthenticator({} as never, testReader)).toThrow(/"trustedOrganizations"/);
    for (const pathMatching of [null, "strict", { caseSensitive: "yes" }, { ignoreCase: true }]) {
      expect(construct({ pathMatching })).toThrow(TypeError);
      expect(construct({ pathMatching })).toThrow(/option "pathMatching"/);
    }
  });
});

describe("refusals carry the configured realm", () => {
  it("in the answer and in the error handed to onError or the error path (wwwAuthenticate, headers)", async () => {
    const authenticator = authenticatorWith({ realm: "wallets-api", forwardErrors: true });
    const { failure } = await authenticator.authenticate(bearer(await notarizer.sign({}, { expiresInSeconds: -60 })));
    const challenge = 'Bearer realm="wallets-api", error="invalid_token", error_description="The token has expired"';
    expect(failure).toMatchObject({ forward: true, headers: { "www-authenticate": challenge } });
    expect(failure?.error).toMatchObject({ realm: "wallets-api", wwwAuthenticate: challenge, headers: { "www-authenticate": challenge }, statusCode: 401 });
  });

  it("describeFailure: anything unexpected is a 503 for the error path; forwardErrors forwards everything; the realm is the one given", () => {
    expect(describeFailure(new RangeError("bug"), "api", false)).toMatchObject({ status: 503, forward: true, body: { error: "unavailable" } });
    const expired = new TurnkeyAuthError("token_expired", "The token has expired", { realm: "turnkey" });
    const failure = describeFailure(expired, "api", true);
    expect(failure.forward).toBe(true);
    expect(failure.error.wwwAuthenticate).toMatch(/^Bearer realm="api"/);
    expect(expired.wwwAuthenticate).toMatch(/^Bearer realm="turnkey"/); // a copy: the original is left as it was
  });
});

describe("ambiguous request targets", () => {
  it("are refused with 400 invalid_request before any policy or token check, wherever policies would run, and only there", async () => {
    let policyCalls = 0;
    const counted = definePolicy("counted", () => (policyCalls++, true));
    expect(authenticatorWith({ policies: [counted] }).authenticate({ target: "/admin/%2e%2e" })).toMatchObject({
      failure: {
        status: 400,
        forward: false,
        body: { error: "invalid_request", message: "The request path has a dot segment" },
        headers: { "www-authenticate": 'Bearer realm="turnkey", error="invalid_request", error_description="The request path has a dot segment"' },
      },
    });
    const signed = await token();
    const routeOnly = authenticatorWith();
    const granted = bearer(signed, { target: "//admin" });
    await routeOnly.authenticate(granted);
    expect(routeOnly.authenticate(granted, [counted])).toMatchObject({ failure: { status: 400 } });
    expect(routeOnly.authenticate(bearer(signed, { target: "/a%2fb" }), [counted])).toMatchObject({ failure: { status: 400 } });
    expect(policyCalls).toBe(0);
    const forwarding = authenticatorWith({ policies: [counted], forwardErrors: true });
    expect(forwarding.authenticate({ target: "/a\\b" })).toMatchObject({ failure: { status: 400, forward: true, error: { code: "invalid_request", statusCode: 400 } } });
    // Where no policy runs, nothing judges the path.
    expect((await routeOnly.authenticate(bearer(signed, { target: "/admin/%2e%2e" }))).session?.organizationId).toBe("org-1");
  });

  it("policies see the canonical path, as the reader's router compares it unless pathMatching says otherwise", async () => {
    const seen: string[] = [];
    const record = definePolicy("record", ({ request }) => (seen.push(request.path), true));
    const signed = await token();
    await authenticatorWith({ policies: [record] }).authenticate(bearer(signed, { target: "/ORGS/org-%32/Whoami/?x" }));
    await authenticatorWith({ policies: [record], pathMatching: { caseSensitive: true } }).authenticate(bearer(signed, { target: "/ORGS/org-%32/Whoami/?x" }));
    expect(seen).toEqual(["/orgs/org-2/whoami", "/ORGS/org-2/Whoami"]);
  });
});

describe("a known session settles without a promise", () => {
  it("the first verification is a promise, every cached one a plain result", async () => {
    const authenticator = authenticatorWith({ trustedOrganizations: ["org-1"] });
    const signed = await token();
    const first = authenticator.authenticate(bearer(signed));
    expect(first).toBeInstanceOf(Promise);
    expect((await first).session?.organizationId).toBe("org-1");
    const cached = authenticator.authenticate(bearer(signed));
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as AuthResult).session?.organizationId).toBe("org-1");
  });

  it("what is refused at once is refused synchronously (no token, a denying policy)", async () => {
    const authenticator = authenticatorWith();
    const signed = await token();
    await authenticator.authenticate(bearer(signed));
    expect(authenticator.authenticate({})).toMatchObject({ failure: { body: { error: "missing_token" } } });
    expect(authenticator.authenticate(bearer(signed), [definePolicy("deny", () => false)])).toMatchObject({ failure: { status: 403 } });
  });

  it("a shared verifier behaves the same, whoever made it; trust is asked on every request", async () => {
    const asked: string[] = [];
    const verifier = createSessionVerifier({ ...base, trustedOrganizations: (organizationId) => (asked.push(organizationId), organizationId === "org-1") });
    const authenticator = createAuthenticator<TestRequest>({ verifier }, testReader);
    const signed = await token();
    await authenticator.authenticate(bearer(signed));
    const cached = authenticator.authenticate(bearer(signed));
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as AuthResult).session?.organizationId).toBe("org-1");
    expect(asked).toEqual(["org-1", "org-1"]);
  });

  it("waits for an asynchronous trust answer or policy (any thenable), and fails closed", async () => {
    const signed = await token();
    const thenable = (value: boolean): PromiseLike<boolean> => ({ then: (resolve) => Promise.resolve(value).then(resolve) });
    const viaThenable = authenticatorWith({ trustedOrganizations: () => thenable(true) });
    await viaThenable.authenticate(bearer(signed));
    const pending = viaThenable.authenticate(bearer(signed));
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).session?.organizationId).toBe("org-1");
    const refusing = authenticatorWith({ trustedOrganizations: () => thenable(false) });
    expect(await refusing.authenticate(bearer(signed))).toMatchObject({ failure: { body: { error: "untrusted_organization" } } });
    const slowPolicy = createAuthenticator<TestRequest>({ verifier: viaThenable.verifier, policies: [definePolicy("later", async () => true)] }, testReader);
    const afterPolicy = slowPolicy.authenticate(bearer(signed));
    expect(afterPolicy).toBeInstanceOf(Promise);
    expect((await afterPolicy).session?.userId).toBeDefined();
  });

  it("an async trust function is asked once per request (cached() leaves its pending answer to verify())", async () => {
    const trust = vi.fn(async (_organizationId: string, _session: TurnkeySession) => true);
    const authenticator = authenticatorWith({ trustedOrganizations: trust });
    const signed = await token();
    for (let request = 0; request < 3; request++) await authenticator.authenticate(bearer(signed));
    expect(trust).toHaveBeenCalledTimes(3);
  });
});

describe("whenAuthenticated", () => {
  it("answers a plain result at once and a promised one on settlement", async () => {
    const answer = (result: AuthResult) => (result.session === undefined ? "anonymous" : "session");
    expect(whenAuthenticated({ session: undefined }, answer)).toBe("anonymous");
    const later = whenAuthenticated(Promise.resolve<AuthResult>({ session: undefined }), answer);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe("anonymous");
  });
});

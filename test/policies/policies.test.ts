import { describe, expect, it } from "vitest";
import {
  allOf,
  createMemoryStore,
  anyOf,
  definePolicy,
  isTurnkeyAuthError,
  not,
  organizationFromParam,
  policyNameOf,
  requireOrganization,
  requireReadWrite,
  requireScope,
  requireSessionType,
  requireUser,
  type Policy,
  type PolicyContext,
  type RequestLike,
  type SessionVerifier,
  type TurnkeySession,
} from "../../src/index.js";
import { createAuthenticator, type RequestReader } from "../../src/adapter.js";

const session = {
  userId: "user-1",
  organizationId: "org-1",
  sessionType: "SESSION_TYPE_READ_WRITE",
  publicKey: "02" + "11".repeat(32),
  expiresAt: 2_000_000_000,
  scope: "activity.type == 'X'",
  claims: {} as TurnkeySession["claims"],
  token: "t",
} as TurnkeySession;

function contextFor(overrides: Partial<TurnkeySession> = {}, request: Partial<RequestLike> = {}): PolicyContext {
  return {
    session: { ...session, ...overrides },
    request: { method: "GET", path: "/", params: {}, query: {}, headers: {}, ...request },
  };
}

// Policies run as the adapters run them: through an authenticator, here over a request that is
// already a RequestLike and a verifier that knows one session.
const reader: RequestReader<RequestLike> = {
  pathMatching: { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false },
  method: (request) => request.method,
  target: (request) => request.path,
  headers: (request) => request.headers,
  params: (request) => request.params,
  query: (request) => request.query,
  holder: (request) => request,
};

async function outcome(policies: Policy[], context = contextFor(), timeoutMs = 1000): Promise<string> {
  const verifier: SessionVerifier = { verify: async () => context.session, cached: () => context.session, store: createMemoryStore(), notarizerPublicKey: "", clearCache() {}, revoke: async () => undefined };
  const authenticator = createAuthenticator({ verifier, policies, policyTimeout: timeoutMs, getToken: () => "token" }, reader);
  const { failure } = await authenticator.authenticate(context.request);
  if (failure === undefined) return "granted";
  if (!isTurnkeyAuthError(failure.error)) return "threw a foreign error";
  return failure.error.policy === undefined ? failure.error.code : `${failure.error.code}:${failure.error.policy}`;
}

describe("built-in policies", () => {
  it("requireOrganization by list or from the request", async () => {
    expect(await outcome([requireOrganization(["org-1", "org-2"])])).toBe("granted");
    expect(await outcome([requireOrganization("org-2")])).toBe("forbidden:requireOrganization");
    const fromHeader = requireOrganization((request) => request.headers["x-org" as never]);
    expect(await outcome([fromHeader], contextFor({}, { headers: { "x-org": "org-1" } }))).toBe("granted");
    expect(await outcome([fromHeader], contextFor({}, { headers: {} }))).toBe("forbidden:requireOrganization");
  });

  it("organizationFromParam compares the route parameter with the session's organization", async () => {
    const policy = organizationFromParam("orgId");
    expect(await outcome([policy], contextFor({}, { params: { orgId: "org-1" } }))).toBe("granted");
    expect(await outcome([policy], contextFor({}, { params: { orgId: "org-9" } }))).toBe("forbidden:organizationFromParam(orgId)");
    expect(await outcome([policy], contextFor({}, { params: {} }))).toBe("forbidden:organizationFromParam(orgId)");
  });

  it("requireUser, requireSessionType, requireReadWrite, requireScope", async () => {
    expect(await outcome([requireUser(["user-1"])])).toBe("granted");
    expect(await outcome([requireUser("user-2")])).toBe("forbidden:requireUser");
    expect(await outcome([requireSessionType("SESSION_TYPE_READ_WRITE")])).toBe("granted");
    expect(await outcome([requireSessionType(["trading"])])).toBe("forbidden:requireSessionType");
    expect(await outcome([requireReadWrite()], contextFor({ sessionType: "SESSION_TYPE_READ_ONLY" }))).toBe("forbidden:requireReadWrite");
    expect(await outcome([requireScope("activity.type == 'X'")])).toBe("granted");
    expect(await outcome([requireScope("other")])).toBe("forbidden:requireScope");
    const { scope: _scope, ...withoutScope } = session;
    expect(await outcome([requireScope("activity.type == 'X'")], { ...contextFor(), session: withoutScope as TurnkeySession })).toBe(
      "forbidden:requireScope",
    );
  });

  it("refuse bad arguments at construction", () => {
    expect(() => requireOrganization([])).toThrow(TypeError);
    expect(() => requireUser([""])).toThrow(TypeError);
    expect(() => organizationFromParam("")).toThrow(TypeError);
    expect(() => allOf()).toThrow(TypeError);
    expect(() => definePolicy("", () => true)).toThrow(TypeError);
  });
});

describe("combinators", () => {
  const yes = definePolicy("yes", () => true);
  const no = definePolicy("no", async () => false);
  const boom = definePolicy("boom", () => {
    throw new Error("bug");
  });

  it("allOf, anyOf and not combine verdicts", async () => {
    expect(await outcome([allOf(yes, yes)])).toBe("granted");
    expect(await outcome([allOf(yes, no)])).toBe("forbidden:allOf(yes, no)");
    expect(await outcome([anyOf(no, yes)])).toBe("granted");
    expect(await outcome([anyOf(no, no)])).toBe("forbidden:anyOf(no, no)");
    expect(await outcome([not(no)])).toBe("granted");
    expect(await outcome([not(yes)])).toBe("forbidden:not(yes)");
  });

  it("never turn a thrown policy into a grant", async () => {
    expect(await outcome([not(boom)])).toBe("unavailable:not(boom)");
    expect(await outcome([anyOf(boom, yes)])).toBe("unavailable:anyOf(boom, yes)");
  });
});

describe("running policies", () => {
  it("grants only on true: truthy values deny", async () => {
    const truthy = (() => 1) as unknown as Policy;
    expect(await outcome([truthy])).toBe(`forbidden:${policyNameOf(truthy)}`);
  });

  it("fails closed on throw, rejection and a policy that never settles", async () => {
    const rejects = definePolicy("rejects", () => Promise.reject(new Error("db down")));
    const hangs = definePolicy("hangs", () => new Promise<boolean>(() => undefined));
    expect(await outcome([definePolicy("throws", () => { throw new Error("bug"); })])).toBe("unavailable:throws");
    expect(await outcome([rejects])).toBe("unavailable:rejects");
    expect(await outcome([hangs], contextFor(), 20)).toBe("unavailable:hangs");
  });

  it("runs in order and stops at the first denial", async () => {
    const seen: string[] = [];
    const record = (name: string, verdict: boolean) =>
      definePolicy(name, async () => {
        seen.push(name);
        return verdict;
      });
    expect(await outcome([record("a", true), record("b", false), record("c", true)])).toBe("forbidden:b");
    expect(seen).toEqual(["a", "b"]);
  });

  it("passes the session and request to custom policies (e.g. a database lookup)", async () => {
    const owners = new Map([["doc-1", "user-1"]]);
    const ownsDocument = definePolicy("ownsDocument", async ({ session: s, request }) => owners.get(request.params.documentId ?? "") === s.userId);
    expect(await outcome([ownsDocument], contextFor({}, { params: { documentId: "doc-1" } }))).toBe("granted");
    expect(await outcome([ownsDocument], contextFor({}, { params: { documentId: "doc-2" } }))).toBe("forbidden:ownsDocument");
  });
});

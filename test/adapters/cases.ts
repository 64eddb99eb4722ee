// The one table of cases every adapter runs through its real framework. Each adapter's test file
// supplies a Harness that starts the same small app (./apps.ts, in each framework's idiom); the
// expectations here are identical for all four.
import { beforeAll, describe, expect, it } from "vitest";
import {
  definePolicy,
  isTurnkeyAuthError,
  type Policy,
  type TurnkeyAuthError,
  type TurnkeySession,
  type VerifyOptions,
} from "../../src/index.js";
import { createTestNotarizer, type TestNotarizer } from "../../src/testing/index.js";
import type { HeaderPairs, TestReply } from "../helpers/adapters/http.js";

export type { HeaderPairs, TestReply } from "../helpers/adapters/http.js";

/** The options every harness passes to its adapter (plus `getToken`/`onError` per `AppSpec`). */
export type SharedOptions = VerifyOptions & {
  policies?: Policy[];
  optional?: boolean;
  cookieName?: string;
  forwardErrors?: boolean;
  policyTimeout?: number;
  realm?: string;
};

/**
 * The app each harness builds:
 * - `GET /whoami`: the adapter app-wide (`global`) or on the route, then `whoami`;
 * - `GET /orgs/:orgId/whoami`: the route-level form with `organizationFromParam("orgId")` on top
 *   (`auth.with(...)`, Fastify `app.turnkey.authenticate([...])`), then `whoami`;
 * - the framework's error path records what reaches it in `probe.errors` and answers
 *   {@link errorPathAnswer};
 * - `whoami` counts `probe.handled` and answers {@link identityOf} the attached session;
 * - every response other than 200 that leaves a session attached counts `probe.sessionsOnRefusals`.
 */
export interface AppSpec {
  readonly options: SharedOptions;
  readonly global: boolean;
  /** Install an `onError` answering {@link CUSTOM_ONERROR_STATUS} with `{ custom: error.code, challenge: error.wwwAuthenticate }`. */
  readonly customOnError: boolean;
  /** Install a `getToken` reading this header through the framework's own request API. */
  readonly tokenHeader?: string;
}

/** What the app saw. */
export class Probe {
  /** Route handler calls. */
  handled = 0;
  /** Responses other than 200 whose request nevertheless carried a session afterwards. */
  sessionsOnRefusals = 0;
  /** What reached the framework's error path. */
  readonly errors: unknown[] = [];
}

export interface Client {
  request(path: string, headers?: HeaderPairs): Promise<TestReply>;
  close(): Promise<void>;
}

export interface Harness {
  readonly name: string;
  start(spec: AppSpec, probe: Probe): Promise<Client>;
  /** Whether the adapter has the options a case needs (NestJS has no `onError` or `forwardErrors`); default all. */
  supports?(spec: AppSpec): boolean;
}

export const TRUSTED = ["org-1", "org-2"] as const;
export const CUSTOM_ONERROR_STATUS = 418;

export function identityOf(session: TurnkeySession | null | undefined): object {
  return session ? { userId: session.userId, organizationId: session.organizationId } : { anonymous: true };
}

/** The TurnkeyAuthError behind what reached an error path (Hono wraps it in an HTTPException). */
export function authErrorOf(reached: unknown): TurnkeyAuthError {
  const error = isTurnkeyAuthError(reached) ? reached : (reached as { cause?: unknown } | undefined)?.cause;
  if (!isTurnkeyAuthError(error)) throw new Error(`not a TurnkeyAuthError: ${String(reached)}`);
  return error;
}

/** How every test app's error path answers: the error's own status, and which code reached it. */
export function errorPathAnswer(reached: unknown): { status: 400 | 401 | 403 | 500 | 503; body: { errorPath: string } } {
  if (!isTurnkeyAuthError(reached) && !isTurnkeyAuthError((reached as { cause?: unknown } | undefined)?.cause)) {
    return { status: 500, body: { errorPath: String((reached as Error | undefined)?.message) } };
  }
  const error = authErrorOf(reached);
  return { status: error.status, body: { errorPath: error.code } };
}

export interface Fixtures {
  readonly notarizer: TestNotarizer;
  /** A notarizer whose key the apps do not trust. */
  readonly stranger: TestNotarizer;
  /** A fresh valid token of user `user-1` in `org-1`, unless `claims` say otherwise. */
  token(claims?: Record<string, unknown>, options?: { expiresInSeconds?: number }): Promise<string>;
}

interface Case {
  readonly name: string;
  readonly spec?: (f: Fixtures) => Partial<Omit<AppSpec, "options">> & { options?: Partial<SharedOptions> };
  readonly request: (f: Fixtures) => Promise<{ path: string; headers?: HeaderPairs }>;
  readonly expect: (reply: TestReply, probe: Probe) => void;
}

const bearer = (token: string): HeaderPairs => [["authorization", `Bearer ${token}`]];
const challenge = (error: string) => new RegExp(`^Bearer realm="turnkey", error="${error}", error_description="[^"]+"$`);

function expectRefused(reply: TestReply, probe: Probe, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.body).toEqual({ error: code, message: expect.any(String) });
  expect(probe.handled).toBe(0);
}

function expectIdentity(reply: TestReply, probe: Probe, userId: string, organizationId: string): void {
  expect(reply.status).toBe(200);
  expect(reply.body).toEqual({ userId, organizationId });
  expect(probe.handled).toBe(1);
}

const throwingPolicy = definePolicy("lookupOwner", () => {
  throw new Error("database down");
});
const blockedUsers = definePolicy("notBlocked", ({ session }) => session.userId !== "blocked-user");
let appWidePolicyCalls = 0;
const countingPolicy = definePolicy("counting", () => {
  appWidePolicyCalls += 1;
  return true;
});

export const CASES: readonly Case[] = [
  {
    name: "missing token: 401 with a bare Bearer challenge (no error attribute)",
    request: async () => ({ path: "/whoami" }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 401, "missing_token");
      expect(reply.header("www-authenticate")).toBe('Bearer realm="turnkey"');
      expect(probe.errors).toEqual([]);
    },
  },
  {
    name: "malformed token: 401 invalid_token",
    request: async () => ({ path: "/whoami", headers: bearer("not.a.jwt") }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 401, "malformed_token");
      expect(reply.header("www-authenticate")).toMatch(challenge("invalid_token"));
    },
  },
  {
    name: "malformed Authorization header (Bearer without a token): 401, never 500",
    request: async () => ({ path: "/whoami", headers: [["authorization", "Bearer"]] }),
    expect: (reply, probe) => expectRefused(reply, probe, 401, "malformed_token"),
  },
  {
    name: "another scheme (Basic) is not a session token: 401 missing_token",
    request: async () => ({ path: "/whoami", headers: [["authorization", "Basic dXNlcjpwYXNz"]] }),
    expect: (reply, probe) => expectRefused(reply, probe, 401, "missing_token"),
  },
  {
    name: "bad signature (signed by an untrusted key): 401 invalid_signature",
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.stranger.sign({ organization_id: "org-1" })) }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 401, "invalid_signature");
      expect(reply.header("www-authenticate")).toMatch(challenge("invalid_token"));
    },
  },
  {
    name: "tampered payload (claims swapped under a valid signature): 401 invalid_signature",
    request: async (f) => {
      const [header, , signature] = (await f.token()).split(".");
      const [, otherPayload] = (await f.token({ user_id: "someone-else" })).split(".");
      return { path: "/whoami", headers: bearer(`${header}.${otherPayload}.${signature}`) };
    },
    expect: (reply, probe) => expectRefused(reply, probe, 401, "invalid_signature"),
  },
  {
    name: "expired: 401 token_expired, distinguishable from invalid",
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token({}, { expiresInSeconds: -60 })) }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 401, "token_expired");
      expect(reply.header("www-authenticate")).toMatch(challenge("invalid_token"));
    },
  },
  {
    name: "untrusted organization: 401 untrusted_organization",
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token({ organization_id: "org-elsewhere" })) }),
    expect: (reply, probe) => expectRefused(reply, probe, 401, "untrusted_organization"),
  },
  {
    name: "success: 200 with the identity attached and no challenge",
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expectIdentity(reply, probe, "user-1", "org-1");
      expect(reply.header("www-authenticate")).toBeUndefined();
    },
  },
  {
    name: "the Bearer scheme is case-insensitive",
    request: async (f) => ({ path: "/whoami", headers: [["authorization", `bearer ${await f.token()}`]] }),
    expect: (reply, probe) => expectIdentity(reply, probe, "user-1", "org-1"),
  },
  {
    name: "route policy organizationFromParam: own organization passes",
    request: async (f) => ({ path: "/orgs/org-1/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => expectIdentity(reply, probe, "user-1", "org-1"),
  },
  {
    name: "wrong organization for the route: 403 insufficient_scope naming the policy",
    request: async (f) => ({ path: "/orgs/org-2/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 403, "forbidden");
      expect(reply.header("www-authenticate")).toMatch(challenge("insufficient_scope"));
      expect(reply.body.message).toContain("organizationFromParam(orgId)");
    },
  },
  {
    name: "policy denial: 403 whose body names the policy",
    spec: () => ({ options: { policies: [blockedUsers] } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token({ user_id: "blocked-user" })) }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 403, "forbidden");
      expect(reply.body.message).toContain('"notBlocked"');
    },
  },
  {
    name: "a policy that grants lets the request through",
    spec: () => ({ options: { policies: [blockedUsers] } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => expectIdentity(reply, probe, "user-1", "org-1"),
  },
  {
    name: "policy throw: fails closed (503), reaches the framework's error path, handler not called",
    spec: () => ({ options: { policies: [throwingPolicy] } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(503);
      expect(reply.body).toEqual({ errorPath: "unavailable" });
      expect(probe.handled).toBe(0);
      expect(probe.errors).toHaveLength(1);
      const error = authErrorOf(probe.errors[0]);
      expect(error.code).toBe("unavailable");
      expect((error.cause as Error).message).toBe("database down");
    },
  },
  {
    name: "async policy rejection: same as a throw (503 through the error path)",
    spec: () => ({ options: { policies: [definePolicy("remoteCheck", async () => Promise.reject(new Error("timeout upstream")))] } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(503);
      expect(probe.handled).toBe(0);
      expect(probe.errors.map((error) => authErrorOf(error).code)).toEqual(["unavailable"]);
    },
  },
  {
    name: "policy timeout: 503 answered directly, without a challenge",
    spec: () => ({ options: { policyTimeout: 30, policies: [definePolicy("neverAnswers", () => new Promise<boolean>(() => {}))] } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 503, "unavailable");
      expect(reply.header("www-authenticate")).toBeUndefined();
      expect(probe.errors).toEqual([]);
    },
  },
  {
    name: "optional mode: no token passes with no session",
    spec: () => ({ options: { optional: true } }),
    request: async () => ({ path: "/whoami" }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ anonymous: true });
      expect(probe.handled).toBe(1);
    },
  },
  {
    name: "optional mode: a present but invalid token still fails (401)",
    spec: () => ({ options: { optional: true } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token({}, { expiresInSeconds: -60 })) }),
    expect: (reply, probe) => expectRefused(reply, probe, 401, "token_expired"),
  },
  {
    name: "optional mode: a valid token attaches the identity",
    spec: () => ({ options: { optional: true } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token({ user_id: "user-2", organization_id: "org-2" })) }),
    expect: (reply, probe) => expectIdentity(reply, probe, "user-2", "org-2"),
  },
  {
    name: "cookie token (cookieName)",
    spec: () => ({ options: { cookieName: "tk_session" } }),
    request: async (f) => ({ path: "/whoami", headers: [["cookie", `theme=dark; tk_session=${await f.token()}`]] }),
    expect: (reply, probe) => expectIdentity(reply, probe, "user-1", "org-1"),
  },
  {
    name: "cookie without cookieName is not read: 401 missing_token",
    request: async (f) => ({ path: "/whoami", headers: [["cookie", `tk_session=${await f.token()}`]] }),
    expect: (reply, probe) => expectRefused(reply, probe, 401, "missing_token"),
  },
  {
    name: "two Authorization headers: 401 malformed_token, not a guess between them",
    request: async (f) => ({
      path: "/whoami",
      headers: [
        ["authorization", `Bearer ${await f.token()}`],
        ["authorization", `Bearer ${await f.token({ user_id: "user-2", organization_id: "org-2" })}`],
      ],
    }),
    expect: (reply, probe) => expectRefused(reply, probe, 401, "malformed_token"),
  },
  {
    name: "two Authorization headers with the same valid token: still 401",
    request: async (f) => {
      const token = await f.token();
      return { path: "/whoami", headers: [...bearer(token), ...bearer(token)] };
    },
    expect: (reply, probe) => expectRefused(reply, probe, 401, "malformed_token"),
  },
  {
    name: "forwardErrors: a missing token goes to the framework's error path",
    spec: () => ({ options: { forwardErrors: true } }),
    request: async () => ({ path: "/whoami" }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ errorPath: "missing_token" });
      expect(probe.handled).toBe(0);
      expect(probe.errors.map((error) => authErrorOf(error).code)).toEqual(["missing_token"]);
    },
  },
  {
    name: "forwardErrors: a route policy denial goes to the error path as 403",
    spec: () => ({ options: { forwardErrors: true } }),
    request: async (f) => ({ path: "/orgs/org-2/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({ errorPath: "forbidden" });
      expect(probe.errors.map((error) => authErrorOf(error).policy)).toEqual(["organizationFromParam(orgId)"]);
    },
  },
  {
    name: "an ambiguous target (an encoded slash) on a route with policies: 400 invalid_request with its challenge, handler not called",
    request: async (f) => ({ path: "/orgs/org-1%2Fx/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expectRefused(reply, probe, 400, "invalid_request");
      expect(reply.header("www-authenticate")).toMatch(challenge("invalid_request"));
      expect(probe.errors).toEqual([]);
    },
  },
  {
    name: "forwardErrors: an ambiguous target goes to the error path as 400",
    spec: () => ({ options: { forwardErrors: true } }),
    request: async (f) => ({ path: "/orgs/org-1%2Fx/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ errorPath: "invalid_request" });
      expect(probe.handled).toBe(0);
    },
  },
  {
    name: "onError replaces the default answer",
    spec: () => ({ customOnError: true }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token({}, { expiresInSeconds: -60 })) }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(CUSTOM_ONERROR_STATUS);
      expect(reply.body).toEqual({ custom: "token_expired", challenge: expect.stringMatching(challenge("invalid_token")) });
      expect(probe.handled).toBe(0);
      expect(probe.errors).toEqual([]);
    },
  },
  {
    name: "onError does not swallow a throwing policy: the error path still gets it",
    spec: () => ({ customOnError: true, options: { policies: [throwingPolicy] } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expect(reply.status).toBe(503);
      expect(probe.errors.map((error) => authErrorOf(error).code)).toEqual(["unavailable"]);
    },
  },
  {
    name: "custom realm in the challenge",
    spec: () => ({ options: { realm: "wallets-api" } }),
    request: async () => ({ path: "/whoami" }),
    expect: (reply) => expect(reply.header("www-authenticate")).toBe('Bearer realm="wallets-api"'),
  },
  {
    name: "custom realm on the error onError gets",
    spec: () => ({ customOnError: true, options: { realm: "wallets-api" } }),
    request: async () => ({ path: "/whoami" }),
    expect: (reply) => expect(reply.body).toEqual({ custom: "missing_token", challenge: 'Bearer realm="wallets-api"' }),
  },
  {
    name: "custom realm on a forwarded error (wwwAuthenticate and headers, which frameworks copy onto the response)",
    spec: () => ({ options: { realm: "wallets-api", forwardErrors: true } }),
    request: async (f) => ({ path: "/whoami", headers: bearer(await f.token({}, { expiresInSeconds: -60 })) }),
    expect: (reply, probe) => {
      expect(reply.body).toEqual({ errorPath: "token_expired" });
      const error = authErrorOf(probe.errors[0]);
      expect(error.wwwAuthenticate).toMatch(/^Bearer realm="wallets-api", error="invalid_token"/);
      expect(error.headers).toEqual({ "www-authenticate": error.wwwAuthenticate });
      // Hono forwards an HTTPException whose response is the refusal.
      const response = (probe.errors[0] as { res?: Response }).res;
      if (response !== undefined) expect(response.headers.get("www-authenticate")).toBe(error.wwwAuthenticate);
    },
  },
  {
    name: "getToken receives the framework's own request",
    spec: () => ({ tokenHeader: "x-session-token" }),
    request: async (f) => ({ path: "/whoami", headers: [["x-session-token", await f.token({ user_id: "user-3" })]] }),
    expect: (reply, probe) => expectIdentity(reply, probe, "user-3", "org-1"),
  },
  {
    name: "per-route policies on top of app-wide: the app-wide session is reused, not re-verified",
    spec: () => {
      appWidePolicyCalls = 0;
      return { options: { policies: [countingPolicy] } };
    },
    request: async (f) => ({ path: "/orgs/org-1/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expectIdentity(reply, probe, "user-1", "org-1");
      expect(appWidePolicyCalls).toBe(1);
    },
  },
  {
    name: "per-route only (no app-wide middleware): the route authenticates itself and runs both policy lists",
    spec: () => {
      appWidePolicyCalls = 0;
      return { global: false, options: { policies: [countingPolicy] } };
    },
    request: async (f) => ({ path: "/orgs/org-1/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => {
      expectIdentity(reply, probe, "user-1", "org-1");
      expect(appWidePolicyCalls).toBe(1);
    },
  },
  {
    name: "per-route only: a missing token is refused on the route",
    spec: () => ({ global: false }),
    request: async () => ({ path: "/orgs/org-1/whoami" }),
    expect: (reply, probe) => expectRefused(reply, probe, 401, "missing_token"),
  },
  {
    name: "per-route only: wrong organization is refused on the route",
    spec: () => ({ global: false }),
    request: async (f) => ({ path: "/orgs/org-2/whoami", headers: bearer(await f.token()) }),
    expect: (reply, probe) => expectRefused(reply, probe, 403, "forbidden"),
  },
];

/**
 * The `with()` contract, once the app runs an app-wide instance for everyone and, at `path`, an
 * admins-only instance's `with()` (`policies: [requireUser("admin")]`): the admins-only instance
 * verifies for itself instead of reusing the session the app-wide one attached.
 */
export async function expectWithToReuseOnlyItsOwnSessions(client: Client, path: string, f: Fixtures): Promise<void> {
  const user = await client.request(path, bearer(await f.token()));
  expect(user.status).toBe(403);
  expect(user.body.message).toContain("requireUser");
  const admin = await client.request(path, bearer(await f.token({ user_id: "admin" })));
  expect(admin.body).toEqual({ userId: "admin", organizationId: "org-1" });
}

export async function createFixtures(): Promise<Fixtures> {
  const notarizer = createTestNotarizer();
  return {
    notarizer,
    stranger: createTestNotarizer(),
    token: (claims = {}, options = {}) => notarizer.sign({ user_id: "user-1", organization_id: "org-1", ...claims }, options),
  };
}

export function specFor(f: Fixtures, overrides: ReturnType<NonNullable<Case["spec"]>> = {}): AppSpec {
  return {
    global: overrides.global ?? true,
    customOnError: overrides.customOnError ?? false,
    ...(overrides.tokenHeader === undefined ? {} : { tokenHeader: overrides.tokenHeader }),
    options: { notarizerPublicKey: f.notarizer.publicKey, trustedOrganizations: [...TRUSTED], ...overrides.options },
  };
}

/** Runs {@link CASES} and the concurrency check against one adapter. */
export function runAdapterSuite(harness: Harness): void {
  describe(`${harness.name} adapter: shared cases`, () => {
    let f: Fixtures;
    beforeAll(async () => {
      f = await createFixtures();
    });

    for (const testCase of CASES) {
      it(testCase.name, async (context) => {
        const probe = new Probe();
        const spec = specFor(f, testCase.spec?.(f));
        if (harness.supports?.(spec) === false) return context.skip("the adapter has no such option");
        const client = await harness.start(spec, probe);
        try {
          const { path, headers } = await testCase.request(f);
          testCase.expect(await client.request(path, headers), probe);
        } finally {
          await client.close();
        }
      });
    }

    it("300 parallel requests with distinct tokens each see their own identity", async () => {
      const count = 300;
      const organizations = Array.from({ length: count }, (_, index) => `org-c-${index}`);
      const tokens = await Promise.all(organizations.map((org, index) => f.notarizer.sign({ organization_id: org, user_id: `user-c-${index}` })));
      // A random async delay interleaves the requests inside the middleware.
      const jitter = definePolicy("jitter", () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), Math.random() * 10)));
      const probe = new Probe();
      const client = await harness.start(specFor(f, { options: { trustedOrganizations: organizations, policies: [jitter] } }), probe);
      try {
        // Every 7th request asks for its neighbour's organization: those must be refused, not mixed up.
        const target = (index: number) => (index % 7 === 0 ? (index + 1) % count : index);
        const replies = await Promise.all(tokens.map((token, index) => client.request(`/orgs/org-c-${target(index)}/whoami`, bearer(token))));
        replies.forEach((reply, index) => {
          if (index % 7 === 0) {
            expect(reply.status, `request ${index}`).toBe(403);
          } else {
            expect(reply.status, `request ${index}`).toBe(200);
            expect(reply.body).toEqual({ userId: `user-c-${index}`, organizationId: `org-c-${index}` });
          }
        });
        expect(probe.handled).toBe(count - Math.ceil(count / 7));
      } finally {
        await client.close();
      }
    });
  });
}

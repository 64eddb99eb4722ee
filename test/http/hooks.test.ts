// The hooks live in the shared authenticator: any adapter written with the kit gets them (and the
// per-route options), as the built-in four do.
import { describe, expect, it } from "vitest";
import { createAuthenticator, type RefusalDetails } from "../../src/adapter.js";
import { definePolicy, type TurnkeySession } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { bearer, testReader, type TestRequest } from "../helpers/http/kit.js";

const notarizer = createTestNotarizer();
const options = { notarizerPublicKey: notarizer.publicKey, trustedOrganizations: ["org-1"] };

describe("hooks in the adapter kit", () => {
  it("observe grants and refusals with the kit's own request", async () => {
    const seen: (readonly [string, TestRequest, TurnkeySession | RefusalDetails])[] = [];
    const authenticator = createAuthenticator<TestRequest>(
      {
        ...options,
        onAuthenticated: (session, request) => void seen.push(["in", request, session]),
        onRefused: (_error, request, details) => void seen.push(["out", request, details]),
      },
      testReader,
    );
    const granted = bearer(await notarizer.sign({ organization_id: "org-1", user_id: "u-1" }));
    const anonymous: TestRequest = {};
    expect((await authenticator.authenticate(granted)).session?.userId).toBe("u-1");
    expect((await authenticator.authenticate(anonymous)).failure?.error.code).toBe("missing_token");
    expect(seen.map(([kind, request]) => [kind, request])).toEqual([["in", granted], ["out", anonymous]]);
    expect((seen[1]?.[2] as RefusalDetails).message).toBe("No session token was presented");
  });

  it("report a throwing policy's refusal with who was refused, as unexpected", async () => {
    const details: RefusalDetails[] = [];
    const broken = definePolicy("broken", () => {
      throw new Error("db down");
    });
    const authenticator = createAuthenticator<TestRequest>({ ...options, policies: [broken], onRefused: (_e, _r, d) => void details.push(d) }, testReader);
    const result = await authenticator.authenticate(bearer(await notarizer.sign({ organization_id: "org-1", user_id: "u-2" })));
    expect(result.failure?.status).toBe(503);
    expect(details).toEqual([
      { code: "unavailable", status: 503, message: 'Policy "broken" could not be evaluated', policy: "broken", organizationId: "org-1", userId: "u-2", unexpected: true },
    ]);
  });

  it("route options: optional per route, and a route's policies need a session unless it says otherwise", async () => {
    const authenticator = createAuthenticator<TestRequest>(options, testReader);
    const always = definePolicy("always", () => true);
    expect(await authenticator.authenticate({}, { policies: [], optional: true })).toEqual({ session: undefined });
    expect((await authenticator.authenticate({}, { policies: [always], optional: undefined })).failure?.error.code).toBe("missing_token");
    expect(await authenticator.authenticate({}, { policies: [always], optional: true })).toEqual({ session: undefined });
    expect((await authenticator.authenticate({}, [always])).failure?.error.code).toBe("missing_token");
  });

  it("refuse non-function hooks at construction, naming the option", () => {
    expect(() => createAuthenticator({ ...options, onRefused: "log" as never }, testReader)).toThrow(/option "onRefused" must be a function/);
    expect(() => createAuthenticator({ ...options, onAuthenticated: 1 as never }, testReader)).toThrow(/option "onAuthenticated" must be a function/);
  });
});

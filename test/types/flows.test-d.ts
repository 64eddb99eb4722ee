import type { Turnkey } from "@turnkey/sdk-server";
import { describe, expectTypeOf, it } from "vitest";
import type { Policy } from "../../src/index.js";
import { sessionKeyIsActive, type ActiveSessionKeyPolicy, type SessionKeyIsActiveOptions } from "../../src/flows/index.js";

describe("flows types", () => {
  it("sessionKeyIsActive takes @turnkey/sdk-server's API client and is a policy with clear()", () => {
    expectTypeOf<ReturnType<Turnkey["apiClient"]>>().toExtend<SessionKeyIsActiveOptions["client"]>();
    expectTypeOf(sessionKeyIsActive).returns.toEqualTypeOf<ActiveSessionKeyPolicy>();
    expectTypeOf<ActiveSessionKeyPolicy>().toExtend<Policy>();
    expectTypeOf<ActiveSessionKeyPolicy["clear"]>().toEqualTypeOf<() => void>();
    expectTypeOf<{ client: ReturnType<Turnkey["apiClient"]> }>().not.toExtend<SessionKeyIsActiveOptions>(); // parentOrganizationId is required
  });
});

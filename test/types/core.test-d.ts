import { describe, expectTypeOf, it } from "vitest";
import {
  createSessionVerifier,
  decodeSessionJwt,
  isTurnkeyAuthError,
  verifySessionJwt,
  type Policy,
  type TurnkeyAuthErrorCode,
  type TurnkeySession,
  type VerifyOptions,
} from "../../src/index.js";

describe("core types", () => {
  it("verify and decode return a TurnkeySession", () => {
    expectTypeOf(verifySessionJwt).returns.toEqualTypeOf<Promise<TurnkeySession>>();
    expectTypeOf(decodeSessionJwt).returns.toEqualTypeOf<TurnkeySession>();
    expectTypeOf(createSessionVerifier).returns.toHaveProperty("verify");
  });

  it("a session's identity fields are strings; profile fields optional", () => {
    expectTypeOf<TurnkeySession["userId"]>().toEqualTypeOf<string>();
    expectTypeOf<TurnkeySession["expiresAt"]>().toEqualTypeOf<number>();
    expectTypeOf<TurnkeySession["scope"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TurnkeySession["sessionType"]>().toExtend<string>();
  });

  it("trustedOrganizations is required", () => {
    expectTypeOf<{ notarizerPublicKey: string }>().not.toExtend<VerifyOptions>();
    expectTypeOf<{ trustedOrganizations: "any" }>().toExtend<VerifyOptions>();
    expectTypeOf<{ trustedOrganizations: string[] }>().toExtend<VerifyOptions>();
  });

  it("isTurnkeyAuthError narrows to an error with a code union", () => {
    const value: unknown = undefined;
    if (isTurnkeyAuthError(value)) expectTypeOf(value.code).toEqualTypeOf<TurnkeyAuthErrorCode>();
  });

  it("policies may be sync or async", () => {
    expectTypeOf<() => boolean>().toExtend<Policy>();
    expectTypeOf<() => Promise<boolean>>().toExtend<Policy>();
  });
});

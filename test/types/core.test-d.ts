import { describe, expectTypeOf, it } from "vitest";
import { canonicalPolicyPath, type AuthFailure, type AuthResult, type RequestReader } from "../../src/adapter.js";
import {
  createSessionVerifier,
  decodeSessionJwt,
  isTurnkeyAuthError,
  verifySessionJwt,
  type PathMatching,
  type Policy,
  type TurnkeyAuthError,
  type TurnkeyAuthErrorCode,
  type TurnkeyAuthErrorStatus,
  type TurnkeySession,
  type VerifyOptions,
} from "../../src/index.js";

describe("core types", () => {
  it("verify and decode return a TurnkeySession", () => {
    expectTypeOf(verifySessionJwt).returns.toEqualTypeOf<Promise<TurnkeySession>>();
    expectTypeOf(decodeSessionJwt).returns.toEqualTypeOf<TurnkeySession>();
    expectTypeOf(createSessionVerifier).returns.toHaveProperty("verify");
    expectTypeOf(createSessionVerifier).returns.toHaveProperty("cached").toEqualTypeOf<(token: string) => TurnkeySession | undefined>();
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

  it("an error's status is one of 400, 401, 403, 503, and so is a failure's", () => {
    expectTypeOf<TurnkeyAuthErrorStatus>().toEqualTypeOf<400 | 401 | 403 | 503>();
    expectTypeOf<TurnkeyAuthError["status"]>().toEqualTypeOf<TurnkeyAuthErrorStatus>();
    expectTypeOf<TurnkeyAuthError["statusCode"]>().toEqualTypeOf<TurnkeyAuthErrorStatus>();
    expectTypeOf<AuthFailure["status"]>().toEqualTypeOf<TurnkeyAuthErrorStatus>();
    expectTypeOf<"invalid_request">().toExtend<TurnkeyAuthErrorCode>();
  });

  it("canonicalPolicyPath takes a target and the router's PathMatching", () => {
    expectTypeOf(canonicalPolicyPath).toEqualTypeOf<(target: string, matching: PathMatching) => string>();
    expectTypeOf<PathMatching>().toEqualTypeOf<{
      readonly caseSensitive: boolean;
      readonly strict: boolean;
      readonly mergeSlashes: boolean;
      readonly semicolonEndsPath: boolean;
    }>();
  });

  it("the adapter kit: a result is a session or a failure; a reader names how to read a request", () => {
    expectTypeOf<Extract<AuthResult, { failure: AuthFailure }>["session"]>().toEqualTypeOf<undefined>();
    expectTypeOf<RequestReader<{ url: string }>["target"]>().toEqualTypeOf<(request: { url: string }) => string>();
  });

  it("policies may be sync or async", () => {
    expectTypeOf<() => boolean>().toExtend<Policy>();
    expectTypeOf<() => Promise<boolean>>().toExtend<Policy>();
  });
});

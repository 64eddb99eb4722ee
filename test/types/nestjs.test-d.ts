import type { CanActivate, DynamicModule, HttpException } from "@nestjs/common";
import { describe, expectTypeOf, it } from "vitest";
import {
  RequirePolicies,
  TurnkeyAuthException,
  TurnkeyAuthGuard,
  TurnkeyAuthModule,
  TurnkeyOptional,
  TurnkeyPublic,
  TurnkeySession,
  type NestHttpRequest,
  type TurnkeyAuthModuleOptions,
} from "../../src/adapters/nestjs/index.js";
import { organizationFromParam, type TurnkeyAuthError, type TurnkeySession as RootSession } from "../../src/index.js";

describe("nestjs", () => {
  it("TurnkeySession is the parameter decorator and the session's type", () => {
    expectTypeOf(TurnkeySession()).toEqualTypeOf<ParameterDecorator>();
    expectTypeOf(TurnkeySession("userId")).toEqualTypeOf<ParameterDecorator>();
    expectTypeOf<TurnkeySession>().toEqualTypeOf<RootSession>();
    // @ts-expect-error only a field of the session
    TurnkeySession("password");
  });

  it("RequirePolicies, TurnkeyPublic and TurnkeyOptional decorate controllers and routes", () => {
    expectTypeOf(RequirePolicies(organizationFromParam("orgId"))).toExtend<ClassDecorator & MethodDecorator>();
    expectTypeOf(TurnkeyPublic()).toExtend<ClassDecorator & MethodDecorator>();
    expectTypeOf(TurnkeyOptional()).toExtend<ClassDecorator & MethodDecorator>();
    // @ts-expect-error policies are functions, not names
    RequirePolicies("orgId");
  });

  it("forRoot and forRootAsync make dynamic modules; options need a trust setting and have no forwardErrors", () => {
    expectTypeOf(TurnkeyAuthModule.forRoot({ trustedOrganizations: ["org-id"], isGlobal: true })).toEqualTypeOf<DynamicModule>();
    const async = TurnkeyAuthModule.forRootAsync({ inject: ["CONFIG"], useFactory: (config: { org: string }) => ({ trustedOrganizations: [config.org] }) });
    expectTypeOf(async).toEqualTypeOf<DynamicModule>();
    // @ts-expect-error trustedOrganizations is required (unless a verifier is given)
    TurnkeyAuthModule.forRoot({});
    // @ts-expect-error refusals always go to exception filters
    TurnkeyAuthModule.forRoot({ trustedOrganizations: "any", forwardErrors: true });
    expectTypeOf<NonNullable<TurnkeyAuthModuleOptions["getToken"]>>().parameter(0).toEqualTypeOf<NestHttpRequest>();
  });

  it("the guard is a CanActivate; its refusal is an HttpException carrying the TurnkeyAuthError", () => {
    expectTypeOf<TurnkeyAuthGuard>().toExtend<CanActivate>();
    expectTypeOf<TurnkeyAuthException>().toExtend<HttpException>();
    expectTypeOf<TurnkeyAuthException["turnkeyError"]>().toEqualTypeOf<TurnkeyAuthError>();
    expectTypeOf<TurnkeyAuthException["headers"]>().toEqualTypeOf<Readonly<Record<string, string>>>();
  });
});

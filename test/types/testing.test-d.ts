import type { TurnkeyClient } from "@turnkey/http";
import { describe, expectTypeOf, it } from "vitest";
import {
  createSoftwarePasskey,
  type TestNotarizer,
  type TestSessionClaims,
  type EmulatorCorsOptions,
  type EmulatorSentOtp,
  type SoftwarePasskey,
  type StartTurnkeyEmulatorOptions,
  type TurnkeyEmulator,
} from "../../src/testing/index.js";

describe("testing types", () => {
  it("a software passkey is a stamper @turnkey/http takes", () => {
    expectTypeOf(createSoftwarePasskey).returns.toEqualTypeOf<SoftwarePasskey>();
    expectTypeOf<SoftwarePasskey>().toExtend<ConstructorParameters<typeof TurnkeyClient>[1]>();
    expectTypeOf<SoftwarePasskey["registration"]["attestation"]["transports"]>().toEqualTypeOf<readonly ["AUTHENTICATOR_TRANSPORT_INTERNAL"]>();
  });

  it("CORS origins are localhost, any, or a list", () => {
    expectTypeOf<{ allowedOrigins: "localhost" }>().toExtend<EmulatorCorsOptions>();
    expectTypeOf<{ allowedOrigins: "*" }>().toExtend<EmulatorCorsOptions>();
    expectTypeOf<{ allowedOrigins: string[] }>().toExtend<EmulatorCorsOptions>();
    expectTypeOf<{ allowedOrigins: "any" }>().not.toExtend<EmulatorCorsOptions>();
  });

  it("the emulator exposes its Auth Proxy and reports OTP codes", () => {
    expectTypeOf<TurnkeyEmulator["authProxyUrl"]>().toEqualTypeOf<string>();
    expectTypeOf<TurnkeyEmulator["authProxyConfigId"]>().toEqualTypeOf<string>();
    expectTypeOf<StartTurnkeyEmulatorOptions["onOtpSent"]>().toEqualTypeOf<((otp: EmulatorSentOtp) => void) | undefined>();
    expectTypeOf<EmulatorSentOtp["code"]>().toEqualTypeOf<string>();
  });

  it("sign() takes exactly Turnkey's claims, in their spelling", () => {
    expectTypeOf<Parameters<TestNotarizer["sign"]>[0]>().toEqualTypeOf<TestSessionClaims | undefined>();
    expectTypeOf<{ organization_id: string; user_id: string; exp: number }>().toExtend<TestSessionClaims>();
    expectTypeOf<{ userId: string }>().not.toExtend<TestSessionClaims>();
    expectTypeOf<{ exp: string }>().not.toExtend<TestSessionClaims>();
    expectTypeOf<TestSessionClaims>().not.toHaveProperty("userId");
  });
});

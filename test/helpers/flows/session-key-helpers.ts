// Helpers of the sessionKeyIsActive tests: users with real emulator logins, and the policy's verdict.
import { isTurnkeyAuthError, type Policy, type TurnkeySession } from "../../../src/index.js";
import type { TurnkeyEmulator } from "../../../src/testing/index.js";
import { subOrganizationWith, verifiedToken, type ApiClient } from "../testing/emulator-helpers.js";

export interface TestUser {
  readonly email: string;
  readonly subOrganizationId: string;
  readonly userId: string;
}

export interface TestLogin {
  /** The session JWT. */
  readonly token: string;
  /** The session key pair (its private half is the browser's). */
  readonly key: { readonly publicKey: string; readonly privateKey: string };
}

let users = 0;

/** A fresh sub-organization with one root user. */
export async function newUser(client: ApiClient): Promise<TestUser> {
  const email = `active-key-${++users}@example.com`;
  return { email, ...(await subOrganizationWith(client, email)) };
}

/** An OTP login of `user` through the parent's client: a session key registered at the (emulated) Turnkey. */
export async function login(emulator: TurnkeyEmulator, client: ApiClient, user: TestUser, extra: { invalidateExisting?: boolean } = {}): Promise<TestLogin> {
  const { key, verificationToken } = await verifiedToken(emulator, client, user.email);
  const { session } = await client.otpLogin({
    organizationId: user.subOrganizationId,
    verificationToken,
    publicKey: key.publicKey,
    clientSignature: key.signLogin(verificationToken),
    ...extra,
  });
  return { token: session, key };
}

/** A session as the verifier hands it to policies, for keys that no login made. */
export function sessionFor(organizationId: string, userId: string, publicKey: string, expiresAt = Math.floor(Date.now() / 1000) + 600): TurnkeySession {
  return { organizationId, userId, publicKey, expiresAt, sessionType: "SESSION_TYPE_READ_WRITE" } as TurnkeySession;
}

/** "granted", the refusal's code, or what else happened. */
export async function verdictOf(policy: Policy, session: TurnkeySession): Promise<string> {
  try {
    const verdict = await policy({ session, request: {} as never });
    return verdict === true ? "granted" : `denied: ${String(verdict)}`;
  } catch (error) {
    return isTurnkeyAuthError(error) ? error.code : `foreign: ${String(error)}`;
  }
}

/** How many requests the emulator received on `path` so far. */
export function callsTo(emulator: TurnkeyEmulator, path = "/public/v1/query/get_api_keys"): number {
  return emulator.requests.filter((request) => request.path === path).length;
}

import type { ClientSignature, RootUser } from "./client.js";
import { invalidRequest } from "./errors.js";
import { isObject } from "./validate.js";
import type { VerifiedOtpToken } from "./verification-token.js";

// A client signature authorizes one use of a verification token (Turnkey's `v1TokenUsage`):
// `{"login":{"publicKey":…},"tokenId":…,"type":"USAGE_TYPE_LOGIN"}` or
// `{"signupV2":{apiKeys,authenticators,oauthProviders,email|phoneNumber},"tokenId":…,"type":"USAGE_TYPE_SIGNUP"}`,
// as @turnkey/core's getClientSignatureMessageForLogin / …ForSignup build them. Turnkey checks the
// signature itself; these checks only turn a client's mistake into a 400 that names it.

const SIGNUP_FIELDS = ["email", "phoneNumber", "apiKeys", "authenticators", "oauthProviders"] as const;

function parseUsage(message: string): Record<string, unknown> | undefined {
  try {
    const usage: unknown = JSON.parse(message);
    return isObject(usage) ? usage : undefined;
  } catch {
    return undefined;
  }
}

/** Protobuf JSON reads an absent field, `null`, `""` and `[]` alike: unset. */
function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * Equal as Turnkey parses them: key order ignored, unset fields equal. It descends only where the
 * expected value (built here) has structure, so a deeply nested message cannot make it recurse deeper.
 */
function sameValue(signed: unknown, expected: unknown): boolean {
  if (isUnset(signed) || isUnset(expected)) return isUnset(signed) && isUnset(expected);
  if (Array.isArray(signed) || Array.isArray(expected)) {
    return Array.isArray(signed) && Array.isArray(expected) && signed.length === expected.length && signed.every((item, index) => sameValue(item, expected[index]));
  }
  if (isObject(signed) || isObject(expected)) {
    if (!isObject(signed) || !isObject(expected)) return false;
    return [...new Set([...Object.keys(signed), ...Object.keys(expected)])].every((key) => sameValue(own(signed, key), own(expected, key)));
  }
  return signed === expected;
}

function requireTokenKey(signature: ClientSignature, token: VerifiedOtpToken, name: string): void {
  if (signature.publicKey.toLowerCase() !== token.publicKey.toLowerCase()) {
    throw invalidRequest(`${name}.publicKey must be the key the verification token was issued to (the one encrypted with the code)`);
  }
}

/** The login signature must authorize exactly this login: catch mistakes before Turnkey does. */
export function checkLoginSignature(signature: ClientSignature, token: VerifiedOtpToken, publicKey: string): void {
  requireTokenKey(signature, token, "clientSignature");
  const usage = parseUsage(signature.message);
  const login = isObject(usage?.login) ? usage.login : undefined;
  if (usage?.type !== "USAGE_TYPE_LOGIN" || usage.tokenId !== token.tokenId || login?.publicKey !== publicKey) {
    throw invalidRequest('clientSignature.message must be {"login":{"publicKey":<publicKey>},"tokenId":<token id>,"type":"USAGE_TYPE_LOGIN"}');
  }
}

/**
 * The sign-up signature must authorize exactly the root user about to be created with the token's
 * contact (Turnkey: "over the verification token ID and the root user parameters").
 */
export function checkSignupSignature(signature: ClientSignature, token: VerifiedOtpToken, rootUser: RootUser, name: string): void {
  requireTokenKey(signature, token, name);
  const usage = parseUsage(signature.message);
  const signup = usage?.signupV2 ?? usage?.signup;
  if (usage?.type !== "USAGE_TYPE_SIGNUP" || usage.tokenId !== token.tokenId || !isObject(signup)) {
    throw invalidRequest(
      `${name}.message must be {"signupV2":{"apiKeys":…,"authenticators":…,"oauthProviders":…,"email" or "phoneNumber":…},"tokenId":<token id>,"type":"USAGE_TYPE_SIGNUP"}, as @turnkey/core's getClientSignatureMessageForSignup builds it`,
    );
  }
  const expected: Record<string, unknown> = {
    email: rootUser.userEmail,
    phoneNumber: rootUser.userPhoneNumber,
    apiKeys: rootUser.apiKeys,
    authenticators: rootUser.authenticators,
    oauthProviders: rootUser.oauthProviders,
  };
  const differing = SIGNUP_FIELDS.find((field) => !sameValue(own(signup, field), expected[field]));
  if (differing !== undefined) throw invalidRequest(`${name}.message must sign exactly the user being created: signupV2.${differing} does not match`);
  if (Object.keys(signup).some((field) => !(SIGNUP_FIELDS as readonly string[]).includes(field) && !isUnset(signup[field]))) {
    throw invalidRequest(`${name}.message must sign exactly the user being created: signupV2 names fields the sign-up does not set`);
  }
}

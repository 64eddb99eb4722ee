import { invalidArgument } from "./api-error.js";
import { verifyHexSignature } from "./keys.js";
import type { VerificationTokenClaims } from "./otp.js";
import { objectAt, requiredString } from "./params.js";

// Deeper than any root user's parameters; a message nested deeper does not match.
const MAX_DEPTH = 8;
const SIGNUP_FIELDS = ["email", "phoneNumber", "apiKeys", "authenticators", "oauthProviders"];

/** Protobuf JSON reads an absent field, `null`, `""` and `[]` alike: unset. */
function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Equal as protobuf messages: key order ignored, unset fields equal. */
function sameMessage(signed: unknown, sent: unknown, depth: number): boolean {
  if (isUnset(signed) || isUnset(sent)) return isUnset(signed) && isUnset(sent);
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(signed) || Array.isArray(sent)) {
    return Array.isArray(signed) && Array.isArray(sent) && signed.length === sent.length && signed.every((item, index) => sameMessage(item, sent[index], depth + 1));
  }
  if (isRecord(signed) || isRecord(sent)) {
    if (!isRecord(signed) || !isRecord(sent)) return false;
    return [...new Set([...Object.keys(signed), ...Object.keys(sent)])].every((key) => sameMessage(own(signed, key), own(sent, key), depth + 1));
  }
  return signed === sent;
}

/**
 * The `clientSignature` CREATE_SUB_ORGANIZATION requires with a `verificationToken` bound to a key
 * (the emulator's always are): scheme API_P256, by the token's key, over the token usage
 * `{"signupV2":{apiKeys,authenticators,oauthProviders,email|phoneNumber},"tokenId":…,"type":"USAGE_TYPE_SIGNUP"}`
 * (or `signup`) naming exactly the parameters of the root user holding the token's contact, as
 * `@turnkey/core`'s `getClientSignatureMessageForSignup` builds it (sha256, raw r‖s hex).
 */
export function checkSignupClientSignature(value: unknown, claims: VerificationTokenClaims, rootUser: Record<string, unknown>): void {
  if (value === undefined || value === null) throw invalidArgument("clientSignature is required with a verificationToken that is bound to a public key");
  const signature = objectAt(value, "clientSignature");
  if (signature.scheme !== "CLIENT_SIGNATURE_SCHEME_API_P256") throw invalidArgument("clientSignature.scheme must be CLIENT_SIGNATURE_SCHEME_API_P256");
  const publicKey = requiredString(signature, "publicKey", "clientSignature.publicKey");
  if (publicKey.toLowerCase() !== claims.public_key) throw invalidArgument("clientSignature.publicKey is not the verification token's public key");
  const message = requiredString(signature, "message", "clientSignature.message");
  let usage: unknown;
  try {
    usage = JSON.parse(message);
  } catch {
    throw invalidArgument("clientSignature.message must be the JSON token usage");
  }
  const signup = isRecord(usage) ? (own(usage, "signupV2") ?? own(usage, "signup")) : undefined;
  if (!isRecord(usage) || usage.type !== "USAGE_TYPE_SIGNUP" || usage.tokenId !== claims.id || !isRecord(signup)) {
    throw invalidArgument("clientSignature.message does not authorize this sign-up (usage type or token id differ)");
  }
  const sent: Record<string, unknown> = {
    email: rootUser.userEmail,
    phoneNumber: rootUser.userPhoneNumber,
    apiKeys: rootUser.apiKeys,
    authenticators: rootUser.authenticators,
    oauthProviders: rootUser.oauthProviders,
  };
  const extra = Object.keys(signup).some((field) => !SIGNUP_FIELDS.includes(field) && !isUnset(signup[field]));
  if (extra || !SIGNUP_FIELDS.every((field) => sameMessage(own(signup, field), sent[field], 0))) {
    throw invalidArgument("clientSignature.message does not match the parameters of the root user with the verification token's contact");
  }
  if (!verifyHexSignature(publicKey, requiredString(signature, "signature", "clientSignature.signature"), message, "raw")) {
    throw invalidArgument("clientSignature.signature is not a valid signature of the message");
  }
}

import type { AuthenticatorTransport, ClientSignature, PasskeyAttestation } from "./client.js";
import { isE164PhoneNumber, isEmailAddress } from "./contact-format.js";
import { invalidRequest } from "./errors.js";

// Anchored, one character class each, the hex ones of a fixed length: each reads its input once
// (test/hostile/linear-patterns.test.ts proves every pattern in src/ linear).
const COMPRESSED_P256 = /^0[23][0-9a-fA-F]{64}$/;
const RAW_SIGNATURE = /^[0-9a-fA-F]{128}$/;
const DIGITS = /^\d+$/;
const MAX_INPUT_LENGTH = 16_384;
// Longer than any whole number of seconds a caller may ask for; checked before DIGITS reads it.
const MAX_SECONDS_DIGITS = 16;
const TRANSPORTS = new Set<string>([
  "AUTHENTICATOR_TRANSPORT_BLE",
  "AUTHENTICATOR_TRANSPORT_INTERNAL",
  "AUTHENTICATOR_TRANSPORT_NFC",
  "AUTHENTICATOR_TRANSPORT_USB",
  "AUTHENTICATOR_TRANSPORT_HYBRID",
]);

/**
 * The contact kinds Turnkey's OTP flow sends codes to.
 *
 * @example
 * ```ts
 * const otpType: OtpType = contact.includes("@") ? "OTP_TYPE_EMAIL" : "OTP_TYPE_SMS";
 * ```
 */
export type OtpType = "OTP_TYPE_EMAIL" | "OTP_TYPE_SMS";

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (!isObject(value)) throw invalidRequest(`${name} is required and must be an object`);
  return value;
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim().length === 0) throw invalidRequest(`${name} is required and must be a non-empty string`);
  if (value.length > MAX_INPUT_LENGTH) throw invalidRequest(`${name} is too long`);
  return value;
}

export function optionalString(value: unknown, name: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, name);
}

export function requireOtpType(value: unknown): OtpType {
  if (value !== "OTP_TYPE_EMAIL" && value !== "OTP_TYPE_SMS") throw invalidRequest('otpType must be "OTP_TYPE_EMAIL" or "OTP_TYPE_SMS"');
  return value;
}

/** An email (OTP_TYPE_EMAIL) or E.164 phone number (OTP_TYPE_SMS), trimmed. */
export function requireContact(value: unknown, otpType: OtpType): string {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    throw invalidRequest(otpType === "OTP_TYPE_EMAIL" ? "contact is required: the email address to send the code to" : "contact is required: the phone number to send the code to");
  }
  const contact = requireString(value, "contact").trim();
  if (otpType === "OTP_TYPE_EMAIL" && !isEmailAddress(contact)) throw invalidRequest("contact must be an email address");
  if (otpType === "OTP_TYPE_SMS" && !isE164PhoneNumber(contact)) throw invalidRequest("contact must be a phone number in E.164 format, e.g. +14155550100");
  return contact;
}

export function optionalEmail(value: unknown, name: string): string | undefined {
  const email = optionalString(value, name)?.trim();
  if (email !== undefined && !isEmailAddress(email)) throw invalidRequest(`${name} must be an email address`);
  return email;
}

export function optionalPhoneNumber(value: unknown, name: string): string | undefined {
  const phone = optionalString(value, name)?.trim();
  if (phone !== undefined && !isE164PhoneNumber(phone)) throw invalidRequest(`${name} must be a phone number in E.164 format, e.g. +14155550100`);
  return phone;
}

/** A compressed P-256 public key in hex (66 characters starting 02 or 03), as Turnkey requires. */
export function requirePublicKey(value: unknown, name: string): string {
  if (value === undefined || value === null || value === "") throw invalidRequest(`${name} is required: the client's compressed P-256 public key in hex`);
  if (typeof value !== "string" || !COMPRESSED_P256.test(value)) {
    throw invalidRequest(`${name} must be a compressed P-256 public key in hex (66 characters starting with 02 or 03)`);
  }
  return value;
}

/** Whole seconds in [1, max], as the decimal string Turnkey's API takes, or `undefined`. */
export function optionalSeconds(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === "string" && value.length <= MAX_SECONDS_DIGITS && DIGITS.test(value) ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 1 || seconds > max) {
    throw invalidRequest(`${name} must be a whole number of seconds from 1 to ${max}`);
  }
  return String(seconds);
}

/** A client signature named `name` in messages; `usage` says what it signs ("login" or "sign-up"). */
export function requireClientSignature(value: unknown, name = "clientSignature", usage = "login"): ClientSignature {
  if (value === undefined || value === null) {
    throw invalidRequest(`${name} is required: the client's signature over the ${usage} message built from the verification token`);
  }
  const input = requireObject(value, name);
  if (input.scheme !== "CLIENT_SIGNATURE_SCHEME_API_P256") throw invalidRequest(`${name}.scheme must be "CLIENT_SIGNATURE_SCHEME_API_P256"`);
  const signature = requireString(input.signature, `${name}.signature`);
  if (!RAW_SIGNATURE.test(signature)) throw invalidRequest(`${name}.signature must be a raw P-256 signature (r‖s) in hex, 128 characters`);
  return {
    publicKey: requirePublicKey(input.publicKey, `${name}.publicKey`),
    scheme: "CLIENT_SIGNATURE_SCHEME_API_P256",
    message: requireString(input.message, `${name}.message`),
    signature,
  };
}

export function requireAttestation(value: unknown): PasskeyAttestation {
  const input = requireObject(value, "passkey.attestation");
  const transports = input.transports ?? [];
  if (!Array.isArray(transports) || !transports.every((transport) => typeof transport === "string" && TRANSPORTS.has(transport))) {
    throw invalidRequest("passkey.attestation.transports must be a list of AUTHENTICATOR_TRANSPORT_* values");
  }
  return {
    credentialId: requireString(input.credentialId, "passkey.attestation.credentialId"),
    clientDataJson: requireString(input.clientDataJson, "passkey.attestation.clientDataJson"),
    attestationObject: requireString(input.attestationObject, "passkey.attestation.attestationObject"),
    transports: transports as AuthenticatorTransport[],
  };
}

import { createHash, verify } from "node:crypto";
import { unauthenticated } from "./api-error.js";
import { sameChallenge, withoutPadding } from "./challenge.js";
import { publicKeyFromHex } from "./keys.js";
import type { AuthenticatorRecord } from "./store.js";

/**
 * An `X-Stamp-Webauthn` whose form and challenge were checked: what remains is to find the
 * credential and check the signature with its key ({@link assertionSignedBy}).
 */
export interface WebauthnAssertion {
  /** base64url without padding. */
  readonly credentialId: string;
  readonly authenticatorData: Buffer;
  readonly clientDataJson: Buffer;
  readonly signature: Buffer;
}

// Turnkey's wordings (docs: developer-reference/api-overview/errors).
export const MALFORMED_WEBAUTHN_STAMP = "could not extract webauthn stamp";
export const BAD_WEBAUTHN_SIGNATURE = "could not verify WebAuthN signature";

// Node refuses request headers past 16 KiB anyway; an assertion is a few hundred bytes.
const MAX_HEADER_LENGTH = 8 * 1024;
// An ES256 signature in DER is at most 72 bytes (RFC 3279 §2.2.3).
const MAX_SIGNATURE_BYTES = 72;
// authenticatorData: rpIdHash (32) ‖ flags (1) ‖ signCount (4), then optional extensions (WebAuthn §6.1).
const MIN_AUTHENTICATOR_DATA_BYTES = 37;
const FLAGS_OFFSET = 32;
const FLAG_USER_PRESENT = 0x01;
// Anchored, one character class: linear (test/hostile/linear-patterns.test.ts).
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const FIELDS = ["authenticatorData", "clientDataJson", "credentialId", "signature"] as const;

function base64urlField(stamp: Record<string, unknown>, field: (typeof FIELDS)[number]): Buffer {
  const value = stamp[field];
  if (typeof value !== "string" || !BASE64URL.test(value)) throw unauthenticated(MALFORMED_WEBAUTHN_STAMP);
  return Buffer.from(value, "base64url");
}

/** The challenge `@turnkey/webauthn-stamper` asks the authenticator to sign: the UTF-8 bytes of hex(sha256(body)), base64url. */
export function webauthnChallengeOf(body: Buffer): string {
  return Buffer.from(createHash("sha256").update(body).digest("hex"), "utf8").toString("base64url");
}

/**
 * Reads an `X-Stamp-Webauthn` (plain JSON `{ authenticatorData, clientDataJson, credentialId,
 * signature }`, each base64url, as Turnkey's stamps documentation gives it) and checks what needs no
 * credential: clientDataJSON is a `webauthn.get` whose challenge is this body's (WebAuthn §7.2 steps
 * 11-12), and the user was present (step 16). The origin is not checked: Turnkey has no per-organization
 * origin setting. Throws Turnkey's UNAUTHENTICATED errors.
 */
export function readWebauthnStamp(header: string, body: Buffer): WebauthnAssertion {
  if (header.length > MAX_HEADER_LENGTH) throw unauthenticated(MALFORMED_WEBAUTHN_STAMP);
  let stamp: unknown;
  try {
    stamp = JSON.parse(header);
  } catch {
    throw unauthenticated(MALFORMED_WEBAUTHN_STAMP);
  }
  if (typeof stamp !== "object" || stamp === null || Array.isArray(stamp)) throw unauthenticated(MALFORMED_WEBAUTHN_STAMP);
  const [authenticatorData, clientDataJson, credentialId, signature] = FIELDS.map((field) => base64urlField(stamp as Record<string, unknown>, field)) as [Buffer, Buffer, Buffer, Buffer];
  if (authenticatorData.length < MIN_AUTHENTICATOR_DATA_BYTES || signature.length > MAX_SIGNATURE_BYTES) throw unauthenticated(MALFORMED_WEBAUTHN_STAMP);
  let clientData: { type?: unknown; challenge?: unknown };
  try {
    clientData = JSON.parse(clientDataJson.toString("utf8")) as typeof clientData;
  } catch {
    throw unauthenticated(BAD_WEBAUTHN_SIGNATURE);
  }
  if (typeof clientData !== "object" || clientData === null || clientData.type !== "webauthn.get") throw unauthenticated(BAD_WEBAUTHN_SIGNATURE);
  if (typeof clientData.challenge !== "string" || !sameChallenge(clientData.challenge, webauthnChallengeOf(body))) throw unauthenticated(BAD_WEBAUTHN_SIGNATURE);
  if (((authenticatorData[FLAGS_OFFSET] as number) & FLAG_USER_PRESENT) === 0) throw unauthenticated(BAD_WEBAUTHN_SIGNATURE);
  return { credentialId: withoutPadding((stamp as { credentialId: string }).credentialId), authenticatorData, clientDataJson, signature };
}

/**
 * Whether the passkey `authenticator` made this assertion (WebAuthn §7.2 steps 15 and 21): the
 * relying party it was registered for, and its signature over authenticatorData ‖ sha256(clientDataJSON).
 * The signature counter is not checked: synced passkeys always send 0.
 */
export function assertionSignedBy(assertion: WebauthnAssertion, authenticator: AuthenticatorRecord): boolean {
  if (assertion.authenticatorData.subarray(0, 32).toString("hex") !== authenticator.rpIdHash) return false;
  const key = publicKeyFromHex(authenticator.publicKey);
  if (key === undefined) return false;
  const signed = Buffer.concat([assertion.authenticatorData, createHash("sha256").update(assertion.clientDataJson).digest()]);
  try {
    return verify("sha256", signed, { key, dsaEncoding: "der" }, assertion.signature);
  } catch {
    return false;
  }
}

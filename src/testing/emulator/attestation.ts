import { createPublicKey } from "node:crypto";
import { invalidArgument } from "./api-error.js";
import { CborError, readCbor, type CborValue } from "./cbor.js";
import { withoutPadding } from "./challenge.js";
import { compressedHexOf } from "./keys.js";

/** What the emulator keeps of a passkey's registration to verify its later WebAuthn stamps. */
export interface AttestedCredential {
  /** base64url without padding, as `@turnkey/webauthn-stamper` sends it in `credentialId`. */
  readonly credentialId: string;
  /** The credential's ES256 public key, compressed P-256 hex (Turnkey's `credential.publicKey`). */
  readonly publicKey: string;
  /** SHA-256 of the relying party id the passkey is bound to, hex. */
  readonly rpIdHash: string;
}

// Far above any "none" or "packed" attestation a platform or security key produces (a few KiB with
// a certificate chain), and bounds the work an attestation costs.
const MAX_ATTESTATION_OBJECT_BYTES = 16 * 1024;
// WebAuthn §5.1 (credential id): at most 1023 bytes.
const MAX_CREDENTIAL_ID_BYTES = 1023;
// authenticatorData: rpIdHash (32) ‖ flags (1) ‖ signCount (4) ‖ aaguid (16) ‖ credentialIdLength (2) (WebAuthn §6.1, §6.5.1).
const RP_ID_HASH_BYTES = 32;
const FLAGS_OFFSET = 32;
const CREDENTIAL_ID_LENGTH_OFFSET = 53;
const CREDENTIAL_ID_OFFSET = 55;
const FLAG_USER_PRESENT = 0x01;
const FLAG_ATTESTED_CREDENTIAL_DATA = 0x40;
const FLAG_EXTENSION_DATA = 0x80;
// COSE (RFC 9053 §7.1, RFC 9052 §7): kty 1 = 2 (EC2), alg 3 = -7 (ES256), crv -1 = 1 (P-256), x -2, y -3.
const COSE_KTY = 1;
const COSE_ALG = 3;
const COSE_CRV = -1;
const COSE_X = -2;
const COSE_Y = -3;
const COSE_KTY_EC2 = 2;
const COSE_ALG_ES256 = -7;
const COSE_CRV_P256 = 1;

function refuse(reason: string): never {
  throw invalidArgument(`invalid authenticator attestation: ${reason}`);
}

function decode(bytes: Uint8Array, offset: number): { value: CborValue; end: number } {
  try {
    return readCbor(bytes, offset);
  } catch (error) {
    if (error instanceof CborError) refuse(error.message);
    throw error;
  }
}

function mapOf(value: CborValue | undefined): Map<number | string, CborValue> | undefined {
  return value instanceof Map ? value : undefined;
}

function coordinate(cose: Map<number | string, CborValue>, label: number): string {
  const value = cose.get(label);
  if (!(value instanceof Uint8Array) || value.length !== 32) refuse("the COSE key's coordinates must be 32 bytes each");
  return Buffer.from(value).toString("base64url");
}

function publicKeyOf(cose: Map<number | string, CborValue>): string {
  if (cose.get(COSE_KTY) !== COSE_KTY_EC2 || cose.get(COSE_ALG) !== COSE_ALG_ES256 || cose.get(COSE_CRV) !== COSE_CRV_P256) {
    refuse("the emulator accepts ES256 (P-256) passkeys only");
  }
  const jwk = { kty: "EC", crv: "P-256", x: coordinate(cose, COSE_X), y: coordinate(cose, COSE_Y) };
  try {
    return compressedHexOf(createPublicKey({ format: "jwk", key: jwk }));
  } catch {
    return refuse("the COSE key is not a point of P-256");
  }
}

/**
 * The credential a registration attests (WebAuthn §7.1 steps 11-21, minus the attestation
 * statement, which Turnkey does not require either for `fmt: "none"`): the CBOR attestation object's
 * `authData`, its attested credential data, and the COSE ES256 public key in it. `credentialId`
 * must be the one the authenticator data names. Throws Turnkey's INVALID_ARGUMENT
 * "invalid authenticator attestation".
 */
export function credentialFromAttestation(attestationObject: string, credentialId: string): AttestedCredential {
  if (attestationObject.length > Math.ceil((MAX_ATTESTATION_OBJECT_BYTES * 4) / 3)) refuse(`the attestation object is larger than ${MAX_ATTESTATION_OBJECT_BYTES} bytes`);
  const bytes = Buffer.from(attestationObject, "base64url");
  const decoded = decode(bytes, 0);
  const object = mapOf(decoded.value);
  if (object === undefined || decoded.end !== bytes.length) refuse("the attestation object must be one CBOR map");
  const authData = object.get("authData");
  if (typeof object.get("fmt") !== "string" || mapOf(object.get("attStmt")) === undefined || !(authData instanceof Uint8Array)) {
    refuse("the attestation object needs fmt, attStmt and authData");
  }
  if (authData.length < CREDENTIAL_ID_OFFSET) refuse("authData is too short to hold attested credential data");
  const flags = authData[FLAGS_OFFSET] as number;
  if ((flags & FLAG_ATTESTED_CREDENTIAL_DATA) === 0 || (flags & FLAG_USER_PRESENT) === 0) refuse("authData must have the user-present and attested-credential-data flags");
  const idLength = ((authData[CREDENTIAL_ID_LENGTH_OFFSET] as number) << 8) | (authData[CREDENTIAL_ID_LENGTH_OFFSET + 1] as number);
  if (idLength === 0 || idLength > MAX_CREDENTIAL_ID_BYTES || CREDENTIAL_ID_OFFSET + idLength >= authData.length) refuse("the credential id length is out of bounds");
  const attestedId = Buffer.from(authData.subarray(CREDENTIAL_ID_OFFSET, CREDENTIAL_ID_OFFSET + idLength)).toString("base64url");
  if (attestedId !== withoutPadding(credentialId)) refuse("credentialId is not the credential id in authData");
  const coseKey = decode(authData, CREDENTIAL_ID_OFFSET + idLength);
  if ((flags & FLAG_EXTENSION_DATA) === 0 && coseKey.end !== authData.length) refuse("authData has bytes after the credential public key");
  const cose = mapOf(coseKey.value);
  if (cose === undefined) refuse("the credential public key must be a COSE key (a CBOR map)");
  return {
    credentialId: attestedId,
    publicKey: publicKeyOf(cose),
    rpIdHash: Buffer.from(authData.subarray(0, RP_ID_HASH_BYTES)).toString("hex"),
  };
}

import { unauthenticated } from "./api-error.js";
import { isCompressedP256Hex, verifyHexSignature } from "./keys.js";

/**
 * A checked `X-Stamp-Attested` of the `STAMP_ATTESTED_SCHEME_P256_VERIFICATION_TOKEN` scheme: the
 * OTP verification token (not yet checked) and the public key it names, which signed the body.
 */
export interface AttestedStamp {
  readonly verificationToken: string;
  /** Compressed P-256 hex, lower case. */
  readonly publicKey: string;
}

export const VERIFICATION_TOKEN_SCHEME = "STAMP_ATTESTED_SCHEME_P256_VERIFICATION_TOKEN";
const MALFORMED = "could not extract attested stamp";
// Node refuses request headers past 16 KiB anyway; a token and a signature are well under 2 KiB.
const MAX_HEADER_LENGTH = 8 * 1024;

/**
 * Reads an `X-Stamp-Attested` as `@turnkey/core`'s `loginWithOtp` writes it: base64url JSON
 * `{ publicKeyAttestation: <verification token>, scheme, publicKey, signature }`, the signature DER
 * hex ECDSA P-256 over sha256 of the exact body, by `publicKey` (as an API-key stamp). Throws
 * Turnkey UNAUTHENTICATED errors; the OIDC scheme (OAuth logins) is not emulated.
 */
export function readAttestedStamp(header: string, body: Buffer): AttestedStamp {
  if (header.length > MAX_HEADER_LENGTH) throw unauthenticated(MALFORMED);
  let stamp: unknown;
  try {
    stamp = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
  } catch {
    throw unauthenticated(MALFORMED);
  }
  const { publicKeyAttestation, scheme, publicKey, signature } = (typeof stamp === "object" && stamp !== null ? stamp : {}) as Record<string, unknown>;
  if (scheme !== VERIFICATION_TOKEN_SCHEME) {
    throw unauthenticated(`unsupported attested stamp scheme: the Turnkey emulator implements ${VERIFICATION_TOKEN_SCHEME} only (OIDC is not emulated)`);
  }
  if (typeof publicKeyAttestation !== "string" || !isCompressedP256Hex(publicKey) || typeof signature !== "string") throw unauthenticated(MALFORMED);
  if (!verifyHexSignature(publicKey, signature, body, "der")) throw unauthenticated("could not verify attested stamp signature");
  return { verificationToken: publicKeyAttestation, publicKey: publicKey.toLowerCase() };
}

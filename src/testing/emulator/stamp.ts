import type { IncomingHttpHeaders } from "node:http";
import { notFound, unauthenticated } from "./api-error.js";
import { verifyHexSignature } from "./keys.js";
import type { EmulatorStore, KeyOwner } from "./store.js";

/** The stamp scheme `@turnkey/api-key-stamper` writes into `X-Stamp`. */
export const API_KEY_STAMP_SCHEME = "SIGNATURE_SCHEME_TK_API_P256";

/** A verified `X-Stamp`: the public key that signed the exact request body. */
export interface VerifiedStamp {
  readonly publicKey: string;
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? undefined : value;
}

/**
 * Verifies the request's `X-Stamp` as Turnkey does for API keys: base64url JSON
 * `{ publicKey, scheme: "SIGNATURE_SCHEME_TK_API_P256", signature }`, the signature being DER
 * ECDSA P-256 over sha256 of the exact body bytes. Throws a Turnkey UNAUTHENTICATED error.
 */
export function verifyStamp(headers: IncomingHttpHeaders, body: Buffer): VerifiedStamp {
  if (headers["x-stamp-webauthn"] !== undefined && headers["x-stamp"] === undefined) {
    throw unauthenticated("WebAuthn (passkey) stamps are not supported by the Turnkey emulator; stamp with an API key");
  }
  const header = singleHeader(headers, "x-stamp");
  if (header === undefined || header.length === 0) throw unauthenticated("request is not stamped: missing X-Stamp header");
  let stamp: unknown;
  try {
    stamp = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
  } catch {
    throw unauthenticated("malformed X-Stamp header: not base64url JSON");
  }
  const { publicKey, scheme, signature } = (typeof stamp === "object" && stamp !== null ? stamp : {}) as Record<string, unknown>;
  if (typeof publicKey !== "string" || typeof signature !== "string") throw unauthenticated("malformed X-Stamp: publicKey and signature are required");
  if (scheme !== API_KEY_STAMP_SCHEME) throw unauthenticated(`unsupported stamp scheme: expected ${API_KEY_STAMP_SCHEME}`);
  if (!verifyHexSignature(publicKey, signature, body, "der")) throw unauthenticated("invalid stamp: the signature does not match the request body and public key");
  return { publicKey: publicKey.toLowerCase() };
}

/**
 * The credential owner allowed to act on `organizationId` with this stamp: a user of that
 * organization or of its parent, whose key has not expired. Throws a Turnkey error otherwise.
 */
export function authorizeStamp(store: EmulatorStore, stamp: VerifiedStamp, organizationId: unknown, nowMs: number): KeyOwner {
  if (typeof organizationId !== "string" || organizationId.length === 0) throw unauthenticated("organizationId is required to authenticate the request");
  // Turnkey answers an unknown (wrong, deleted) key exactly as a key of another organization:
  // UNAUTHENTICATED, "could not find public key in organization or its parent organization".
  const unknownKey = () => unauthenticated("could not find public key in organization or its parent organization");
  const owners = store.ownersOf(stamp.publicKey);
  if (owners.length === 0) throw unknownKey();
  if (!store.organizations.has(organizationId)) throw notFound(`organization not found: ${organizationId}`);
  const allowed = owners.filter((owner) => store.canAccess(owner.organizationId, organizationId));
  if (allowed.length === 0) throw unknownKey();
  const live = allowed.filter((owner) => owner.apiKey.expiresAtMs === undefined || owner.apiKey.expiresAtMs > nowMs);
  if (live.length === 0) throw unauthenticated("the stamp's API key has expired");
  // Prefer a credential of the target organization itself over its parent's.
  return live.find((owner) => owner.organizationId === organizationId) ?? (live[0] as KeyOwner);
}

import type { IncomingHttpHeaders } from "node:http";
import { TurnkeyApiError, notFound, unauthenticated } from "./api-error.js";
import { readAttestedStamp, type AttestedStamp } from "./attested-stamp.js";
import { hasContact, verifiedHoldersOf } from "./contacts.js";
import type { EmulatorServices } from "./context.js";
import { verifyHexSignature } from "./keys.js";
import type { VerificationTokenClaims } from "./otp.js";
import type { CredentialOwner, EmulatorStore, KeyOwner } from "./store.js";
import { BAD_WEBAUTHN_SIGNATURE, assertionSignedBy, readWebauthnStamp, type WebauthnAssertion } from "./webauthn-stamp.js";

/** The stamp scheme `@turnkey/api-key-stamper` writes into `X-Stamp`. */
export const API_KEY_STAMP_SCHEME = "SIGNATURE_SCHEME_TK_API_P256";

/** A request's stamp, read and checked as far as it can be without the store. */
export type Stamp =
  | { readonly kind: "apiKey"; readonly publicKey: string }
  | { readonly kind: "webauthn"; readonly assertion: WebauthnAssertion }
  | { readonly kind: "attested"; readonly attested: AttestedStamp };

/** Who made a request: a user, and for an attested stamp the verification token it presented. */
export interface Caller {
  readonly organizationId: string;
  readonly userId: string;
  /** Set for an `X-Stamp-Attested` login: checked, not yet consumed. */
  readonly verificationToken?: VerificationTokenClaims;
}

/** The caller, and the organization the request acts on (a sub-organization a parent id resolved to). */
export interface Authorization {
  readonly caller: Caller;
  readonly organizationId: string;
}

// Turnkey's wordings (docs: developer-reference/api-overview/errors). @turnkey/core maps the first
// two to SESSION_EXPIRED by substring: they must stay exactly so.
const UNKNOWN_KEY = "could not find public key in organization or its parent organization";
const EXPIRED_KEY = "rpc error: code = Unauthenticated desc = expired api key publicKey";
const NO_STAMP = "cannot authenticate public API activity request without a stamp (X-Stamp/X-Stamp-Webauthn header)";
const UNKNOWN_CREDENTIAL = "credential ID could not be found in organization or its parent organization";
const AMBIGUOUS_CREDENTIAL = "more than one suborg associated with a credential ID";
const UNKNOWN_ORGANIZATION = "no organization found with the given ID";
const STAMP_HEADERS = ["x-stamp", "x-stamp-webauthn", "x-stamp-attested"] as const;
/** The only endpoint that takes an attested stamp in the emulator (what `@turnkey/core`'s `loginWithOtp` calls). */
export const ATTESTED_STAMP_PATH = "/public/v1/submit/stamp_login";

function readApiKeyStamp(header: string, body: Buffer): Stamp {
  let stamp: unknown;
  try {
    stamp = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
  } catch {
    throw unauthenticated("could not extract api key stamp");
  }
  const { publicKey, scheme, signature } = (typeof stamp === "object" && stamp !== null ? stamp : {}) as Record<string, unknown>;
  if (typeof publicKey !== "string" || typeof signature !== "string") throw unauthenticated("could not extract api key stamp");
  if (scheme !== API_KEY_STAMP_SCHEME) throw unauthenticated(`could not extract api key stamp: unsupported scheme, expected ${API_KEY_STAMP_SCHEME}`);
  if (!verifyHexSignature(publicKey, signature, body, "der")) throw unauthenticated("could not verify api key signature");
  return { kind: "apiKey", publicKey: publicKey.toLowerCase() };
}

/**
 * Reads the request's one stamp header, as Turnkey does: `X-Stamp` (API key: base64url JSON
 * `{ publicKey, scheme: "SIGNATURE_SCHEME_TK_API_P256", signature }`, DER ECDSA P-256 over sha256 of
 * the exact body), `X-Stamp-Webauthn` (a passkey assertion over that body) or `X-Stamp-Attested`
 * (an OTP verification token's key). Throws a Turnkey UNAUTHENTICATED error.
 */
export function readStamp(headers: IncomingHttpHeaders, body: Buffer): Stamp {
  const present = STAMP_HEADERS.filter((name) => headers[name] !== undefined);
  if (present.length === 0) throw unauthenticated(NO_STAMP);
  if (present.length > 1) throw unauthenticated("a request carries exactly one stamp: X-Stamp, X-Stamp-Webauthn or X-Stamp-Attested");
  const name = present[0] as (typeof STAMP_HEADERS)[number];
  const header = headers[name];
  if (typeof header !== "string" || header.length === 0) throw unauthenticated(NO_STAMP);
  if (name === "x-stamp-webauthn") return { kind: "webauthn", assertion: readWebauthnStamp(header, body) };
  if (name === "x-stamp-attested") return { kind: "attested", attested: readAttestedStamp(header, body) };
  return readApiKeyStamp(header, body);
}

function requireOrganization(store: EmulatorStore, organizationId: string): void {
  if (!store.organizations.has(organizationId)) throw notFound(UNKNOWN_ORGANIZATION);
}

/** An API key's user allowed to act on `organizationId`: of that organization or its parent, the key unexpired. */
function authorizeApiKey(store: EmulatorStore, publicKey: string, organizationId: string, nowMs: number): Authorization {
  // Turnkey answers an unknown (wrong, deleted) key exactly as a key of another organization.
  const owners = store.ownersOf(publicKey);
  if (owners.length === 0) throw unauthenticated(UNKNOWN_KEY);
  requireOrganization(store, organizationId);
  const allowed = owners.filter((owner) => store.canAccess(owner.organizationId, organizationId));
  if (allowed.length === 0) throw unauthenticated(UNKNOWN_KEY);
  const live = allowed.filter((owner) => owner.apiKey.expiresAtMs === undefined || owner.apiKey.expiresAtMs > nowMs);
  if (live.length === 0) throw unauthenticated(EXPIRED_KEY);
  // Prefer a credential of the target organization itself over its parent's.
  const caller: KeyOwner = live.find((owner) => owner.organizationId === organizationId) ?? (live[0] as KeyOwner);
  return { caller: { organizationId: caller.organizationId, userId: caller.userId }, organizationId };
}

/**
 * A passkey's user for a request naming `organizationId`: of that organization, of its parent, or,
 * when it names a parent, of exactly one of its sub-organizations, which the request then acts on.
 * That last case is what `@turnkey/core`'s `loginWithPasskey()` relies on (it sends the parent's
 * id), and what Turnkey documents: "If the request is being made by a WebAuthN user and their
 * sub-organization ID is unknown, this can be the parent organization ID" (whoami).
 */
function authorizePasskey(store: EmulatorStore, assertion: WebauthnAssertion, organizationId: string): Authorization {
  requireOrganization(store, organizationId);
  const owners = store.credentialOwners(assertion.credentialId);
  let owner: CredentialOwner | undefined =
    owners.find((candidate) => candidate.organizationId === organizationId) ?? owners.find((candidate) => store.canAccess(candidate.organizationId, organizationId));
  let acting = organizationId;
  if (owner === undefined && store.organization(organizationId).parentOrganizationId === undefined) {
    const inSubOrganizations = owners.filter((candidate) => store.organizations.get(candidate.organizationId)?.parentOrganizationId === organizationId);
    if (new Set(inSubOrganizations.map((candidate) => candidate.organizationId)).size > 1) throw unauthenticated(AMBIGUOUS_CREDENTIAL);
    owner = inSubOrganizations[0];
    if (owner !== undefined) acting = owner.organizationId;
  }
  if (owner === undefined) throw unauthenticated(UNKNOWN_CREDENTIAL);
  if (!assertionSignedBy(assertion, owner.authenticator)) throw unauthenticated(BAD_WEBAUTHN_SIGNATURE);
  return { caller: { organizationId: owner.organizationId, userId: owner.userId }, organizationId: acting };
}

/**
 * An OTP-verified user for a login naming `organizationId` (the body's; `@turnkey/core` sends the
 * parent's unless told the sub-organization): a user of that organization with the token's contact,
 * or, when it names a parent, the one sub-organization where that contact is verified (as an
 * OTP login looks accounts up: an unverified contact proves nothing). The token must be this
 * emulator's, unexpired, unused, issued to that organization or its parent, and bound to the key
 * that signed the body.
 */
function authorizeAttested({ store, otp }: EmulatorServices, attested: AttestedStamp, organizationId: string): Authorization {
  let claims: VerificationTokenClaims;
  try {
    claims = otp.readToken(attested.verificationToken);
  } catch (error) {
    throw unauthenticated(`invalid verification token in the attested stamp: ${error instanceof TurnkeyApiError ? error.message : "unreadable"}`);
  }
  if (attested.publicKey !== claims.public_key) throw unauthenticated("the attested stamp's public key is not the verification token's");
  requireOrganization(store, organizationId);
  const target = store.organization(organizationId);
  let acting = organizationId;
  let user = [...target.users.values()].find((candidate) => hasContact(candidate, claims.verification_type, claims.contact, false));
  if (user === undefined && target.parentOrganizationId === undefined) {
    const holders = verifiedHoldersOf(store, organizationId, claims.verification_type, claims.contact);
    if (holders.length > 1) throw unauthenticated("more than one suborg associated with the verification token's contact");
    user = holders[0]?.user;
    acting = holders[0]?.organizationId ?? organizationId;
  }
  if (user === undefined) throw unauthenticated("could not find a verified sub-organization for the verification token's contact");
  if (claims.organization_id !== acting && claims.organization_id !== store.organization(acting).parentOrganizationId) {
    throw unauthenticated("the verification token was issued for another organization");
  }
  return { caller: { organizationId: acting, userId: user.userId, verificationToken: claims }, organizationId: acting };
}

/**
 * The caller of a request stamped with `stamp` that names `organizationId`, and the organization it
 * acts on. Throws Turnkey's errors (UNAUTHENTICATED; NOT_FOUND for an unknown organization).
 */
export function authorizeStamp(services: EmulatorServices, stamp: Stamp, organizationId: unknown, path: string): Authorization {
  if (typeof organizationId !== "string" || organizationId.length === 0) throw unauthenticated("organizationId is required to authenticate the request");
  if (stamp.kind === "apiKey") return authorizeApiKey(services.store, stamp.publicKey, organizationId, services.now());
  if (stamp.kind === "webauthn") return authorizePasskey(services.store, stamp.assertion, organizationId);
  if (path !== ATTESTED_STAMP_PATH) throw unauthenticated("attested stamps are only accepted by stamp_login in the Turnkey emulator");
  return authorizeAttested(services, stamp.attested, organizationId);
}

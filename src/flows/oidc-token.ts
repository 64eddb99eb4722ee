import { jwtDecode } from "jwt-decode";
import { invalidRequest } from "./errors.js";

const MAX_OIDC_TOKEN_LENGTH = 8192;
// OIDC providers' clocks and ours differ a little (RFC 7519 §4.1.4 leeway).
const CLOCK_TOLERANCE_SECONDS = 30;

/** The OIDC identity {@link checkOidcToken} read from a token (before Turnkey verifies its signature). */
export interface OidcIdentity {
  iss: string;
  sub: string;
  /** The audience that matched the allow-list. */
  aud: string;
}

/**
 * Which OIDC tokens an app accepts for OAuth login: only tokens of these issuers, for these
 * audiences (your OAuth client ids), are sent to Turnkey.
 *
 * @example
 * ```ts
 * const oauth: OauthAllowList = { issuers: ["https://accounts.google.com"], audiences: [process.env.GOOGLE_CLIENT_ID!] };
 * ```
 */
export interface OauthAllowList {
  issuers: readonly string[];
  audiences: readonly string[];
}

/**
 * Turnkey's OAuth nonce for a session key: lowercase hex SHA-256 of the key's hex text, which binds
 * the ID token to that key (Turnkey's OAUTH_LOGIN: "nonce set to sha256(publicKey)").
 */
export async function oauthNonce(publicKey: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(publicKey)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Checks an allow-list option at construction: non-empty arrays of non-empty strings. */
export function requireAllowList(value: unknown, name: string): OauthAllowList {
  const list = value as Partial<OauthAllowList> | null | undefined;
  for (const key of ["issuers", "audiences"] as const) {
    const entries = list?.[key];
    if (!Array.isArray(entries) || entries.length === 0 || !entries.every((entry) => typeof entry === "string" && entry.length > 0)) {
      throw new TypeError(`${name}.${key} must be a non-empty array of strings: OIDC tokens of other ${key} are refused`);
    }
  }
  return { issuers: [...list!.issuers!], audiences: [...list!.audiences!] };
}

/**
 * Reads an OIDC token's claims (without its signature: Turnkey verifies that against the issuer's
 * keys) and refuses it early, as a 400, unless its issuer and audience are allowed, it is unexpired,
 * and its `nonce` binds it to `publicKey`. Messages never quote the token.
 */
export async function checkOidcToken(token: string, publicKey: string, allow: OauthAllowList, nowMs: number): Promise<OidcIdentity> {
  if (token.length > MAX_OIDC_TOKEN_LENGTH) throw invalidRequest("oidcToken is longer than allowed");
  let claims: Record<string, unknown>;
  try {
    claims = jwtDecode<Record<string, unknown>>(token);
  } catch {
    throw invalidRequest("oidcToken is not a JWT");
  }
  const { iss, sub, aud, nonce, exp } = claims;
  if (typeof iss !== "string" || !allow.issuers.includes(iss)) throw invalidRequest("oidcToken's issuer is not one this app accepts");
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  const audience = audiences.find((candidate): candidate is string => typeof candidate === "string" && allow.audiences.includes(candidate));
  if (audience === undefined) throw invalidRequest("oidcToken's audience is not one this app accepts");
  if (typeof sub !== "string" || sub.length === 0) throw invalidRequest("oidcToken has no subject");
  if (typeof exp !== "number" || exp + CLOCK_TOLERANCE_SECONDS <= nowMs / 1000) throw invalidRequest("oidcToken has expired: log in with the provider again");
  if (nonce !== (await oauthNonce(publicKey))) {
    throw invalidRequest("oidcToken's nonce is not sha256(publicKey): request the ID token with the session key's nonce");
  }
  return { iss, sub, aud: audience };
}

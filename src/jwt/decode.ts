import { jwtDecode } from "jwt-decode";
import { TurnkeyAuthError } from "../errors.js";
import { sessionFromPayload, type TurnkeySession } from "./claims.js";

const MAX_DECODED_LENGTH = 8192;

/**
 * Decodes a Turnkey session JWT **without verifying its signature, expiry or organization**: for
 * showing who is logged in, or logging a session id. Never authorize with it; use
 * {@link verifySessionJwt}. Throws `TurnkeyAuthError` (`malformed_token` or `invalid_claims`).
 *
 * @example
 * ```ts
 * const { userId, expiresAt } = decodeSessionJwt(sessionJwt);
 * showBanner(`Signed in until ${new Date(expiresAt * 1000).toLocaleTimeString()}`);
 * ```
 */
export function decodeSessionJwt(token: string): TurnkeySession {
  if (typeof token !== "string" || token.length === 0) {
    throw new TurnkeyAuthError("missing_token", "No session token was presented");
  }
  if (token.length > MAX_DECODED_LENGTH) {
    throw new TurnkeyAuthError("malformed_token", "The token is malformed: it is longer than allowed");
  }
  let payload: unknown;
  try {
    payload = jwtDecode(token);
  } catch {
    // No cause: jwt-decode's messages can quote parts of the token, and ours never do.
    throw new TurnkeyAuthError("malformed_token", "The token is malformed: it is not a decodable JWT");
  }
  return sessionFromPayload(payload, token);
}

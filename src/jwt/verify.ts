import type { TurnkeySession } from "./claims.js";
import { createSessionVerifier, type SessionVerifier } from "./verifier.js";
import type { VerifyOptions } from "./options.js";

// One verifier per options object: calling verifySessionJwt repeatedly with the same options
// reuses the imported key and the cache instead of rebuilding them per call.
const verifiers = new WeakMap<VerifyOptions, SessionVerifier>();

/**
 * Verifies a Turnkey session JWT and returns its session, or rejects with a
 * {@link TurnkeyAuthError}. A one-shot over {@link createSessionVerifier}: pass the same options
 * object each time (e.g. a module constant) and the key import and cache are reused.
 *
 * @example
 * ```ts
 * const options = { trustedOrganizations: [process.env.TURNKEY_ORGANIZATION_ID!] };
 * const session = await verifySessionJwt(token, options);
 * session.userId; // "6912b819-…"
 * ```
 */
export function verifySessionJwt(token: string, options: VerifyOptions): Promise<TurnkeySession> {
  let verifier = verifiers.get(options);
  if (verifier === undefined) {
    verifier = createSessionVerifier(options);
    verifiers.set(options, verifier);
  }
  return verifier.verify(token);
}

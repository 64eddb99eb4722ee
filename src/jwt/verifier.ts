import { nativeCrypto, type P256SignatureCheck } from "../crypto/native.js";
import { hasScalarsInRange } from "../crypto/p256.js";
import { TurnkeyAuthError, isTurnkeyAuthError } from "../errors.js";
import { verifierMetrics, type VerifierMetrics } from "../telemetry/meter.js";
import { sessionFromPayload, type TurnkeySession } from "./claims.js";
import { TokenCache } from "./token-cache.js";
import { resolveVerifyOptions, type VerifyOptions } from "./options.js";
import { parseJsonBytes, parseToken } from "./parse.js";
import { createRevocations, type RevocableSession } from "./revocations.js";
import { MAX_REMEMBERED_REFUSALS, refusalError, type Refusal } from "./refusals.js";
import type { SessionVerifier } from "./session-verifier.js";
import { trustRule, type TrustRule } from "./trust.js";

export type { SessionVerifier } from "./session-verifier.js";

function isRevocableSession(value: unknown): value is RevocableSession {
  if (typeof value !== "object" || value === null) return false;
  const session = value as Record<string, unknown>;
  return ["organizationId", "userId", "publicKey"].every((field) => typeof session[field] === "string") && typeof session.expiresAt === "number";
}

const HIT = Object.freeze({ result: "hit" });
const MISS = Object.freeze({ result: "miss" });

// RFC 6750 §2.1's scheme before the credential: the caller passed the header's value, not the token.
function startsWithBearer(token: string): boolean {
  return token.length > 7 && token.slice(0, 7).toLowerCase() === "bearer ";
}

// The trust rule, each answer counted by result.
function countedTrust(trusts: TrustRule, metrics: VerifierMetrics): TrustRule {
  const count = (result: string) => metrics.trustChecks(1, { result });
  const counted = (trusted: boolean) => (count(trusted ? "trusted" : "untrusted"), trusted);
  const failed = (error: unknown): never => {
    count("error");
    throw error;
  };
  return (session) => {
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = trusts(session);
    } catch (error) {
      return failed(error);
    }
    return verdict instanceof Promise ? verdict.then(counted, failed) : counted(verdict);
  };
}

// Valid under any of the keys, tried in the order configured (the current key first, then the next).
function signatureCheck(checks: readonly P256SignatureCheck[]): P256SignatureCheck {
  if (checks.length === 1) return checks[0] as P256SignatureCheck;
  return async (message, signature) => {
    for (const check of checks) if (await check(message, signature)) return true;
    return false;
  };
}

/**
 * Creates a {@link SessionVerifier}. Validates every option now (a `TypeError` names the bad
 * one) and imports the notarizer key once.
 *
 * The check, in order (RFC 8725 §3): length cap; three canonical base64url segments; header
 * `alg` exactly `ES256`; a 64-byte `r‖s` signature with scalars in `[1, n−1]`; ECDSA P-256 over
 * `sha256(sha256(header_b64 + "." + payload_b64))` with the notarizer key; only then the payload,
 * as a plain JSON object with Turnkey's claims; `exp`; organization trust.
 *
 * @example
 * ```ts
 * const verifier = createSessionVerifier({
 *   trustedOrganizations: (organizationId) => myOrganizations.has(organizationId),
 *   cache: { maxEntries: 50_000 },
 * });
 * const session = await verifier.verify(token);
 * ```
 */
export function createSessionVerifier(options: VerifyOptions): SessionVerifier {
  const resolved = resolveVerifyOptions(options);
  const { now, clockToleranceSeconds, maxTokenLength, cacheMaxEntries } = resolved;
  const crypto = nativeCrypto();
  const checkSignature = signatureCheck(resolved.notarizerPoints.map((point) => crypto.importP256Key(point)));
  // Both keyed by the token (see TokenCache). `cache: false` keeps nothing (bounds of 0).
  const sessions = new TokenCache<TurnkeySession>(cacheMaxEntries);
  const metrics = verifierMetrics(resolved.meter, () => sessions.size);
  const trusts = countedTrust(trustRule(resolved.trustedOrganizations), metrics);
  const refusals = new TokenCache<Refusal>(cacheMaxEntries > 0 ? MAX_REMEMBERED_REFUSALS : 0);
  const inFlight = new Map<string, Promise<TurnkeySession>>(); // checks still waiting, shared by concurrent callers
  const revocations = createRevocations(resolved);

  function isExpired(session: TurnkeySession): boolean {
    // Expired when exp <= now − tolerance, as jose does (RFC 7519 §4.1.4). Negated so that a clock
    // answering NaN fails closed instead of never expiring.
    return !(session.expiresAt > now() / 1000 - clockToleranceSeconds);
  }

  function remember(token: string, refusal: Refusal): TurnkeyAuthError {
    sessions.delete(token);
    refusals.set(token, refusal);
    return refusalError(refusal.code, refusal.code === "invalid_signature" ? undefined : refusal.session);
  }

  async function verifySignature(token: string): Promise<TurnkeySession> {
    const { signingInput, payload, signature } = parseToken(token);
    if (!hasScalarsInRange(signature)) throw refusalError("invalid_signature");
    // Turnkey signs sha256(signingInput) with a signer that hashes once more (see @turnkey/crypto
    // verifySessionJwtSignature), so the ECDSA message is the first digest.
    const firstDigest = await crypto.sha256Ascii(signingInput);
    if (!(await checkSignature(firstDigest, signature))) throw remember(token, { code: "invalid_signature" });
    const claims = parseJsonBytes(payload);
    if (claims === undefined) throw new TurnkeyAuthError("invalid_claims", "The token's claims are invalid: the payload is not JSON");
    return sessionFromPayload(claims, token);
  }

  // Expiry, revocation, then trust: judged on every call. A session enters the cache only once trusted.
  function admit(token: string, session: TurnkeySession, isCached: boolean): TurnkeySession | Promise<TurnkeySession> {
    if (isExpired(session)) throw remember(token, { code: "token_expired", session });
    const revoked = revocations.isRevoked(session);
    if (revoked instanceof Promise) return revoked.then((answer) => judgeTrust(token, session, answer, isCached));
    return judgeTrust(token, session, revoked, isCached);
  }

  function judgeTrust(token: string, session: TurnkeySession, revoked: boolean, isCached: boolean): TurnkeySession | Promise<TurnkeySession> {
    if (revoked) throw new TurnkeyAuthError("session_revoked", "The session has been ended");
    const trusted = trusts(session);
    if (trusted instanceof Promise) return trusted.then((answer) => conclude(token, session, answer, isCached));
    return conclude(token, session, trusted, isCached);
  }

  function conclude(token: string, session: TurnkeySession, trusted: boolean, isCached: boolean): TurnkeySession {
    if (!trusted) throw remember(token, { code: "untrusted_organization", session });
    if (!isCached) {
      refusals.delete(token);
      sessions.set(token, session);
    }
    return session;
  }

  // The session of `token`, or a promise of it when something must be waited for; throws a refusal
  // known at once.
  function check(token: string): TurnkeySession | Promise<TurnkeySession> {
    const waiting = waitingCheck(token);
    if (waiting !== undefined) return waiting;
    const known = sessions.get(token);
    metrics.cacheLookups(1, known === undefined ? MISS : HIT);
    if (known !== undefined) return shared(token, admit(token, known, true));
    // A cached token passed the entry checks when it was verified.
    checkEntry(token);
    return shared(token, checkUncached(token));
  }

  // The check waiting for `token`, if any. Looked up only while one waits, so that a cached token
  // is not hashed whole (see TokenCache).
  function waitingCheck(token: string): Promise<TurnkeySession> | undefined {
    return inFlight.size === 0 ? undefined : inFlight.get(token);
  }

  // A check that must wait is shared by the calls that come for the same token meanwhile.
  function shared(token: string, outcome: TurnkeySession | Promise<TurnkeySession>): TurnkeySession | Promise<TurnkeySession> {
    if (!(outcome instanceof Promise)) return outcome;
    const waiting = outcome.finally(() => inFlight.delete(token));
    inFlight.set(token, waiting);
    return waiting;
  }

  // What is refused before any parsing: no token, an oversized one, or the whole header value.
  function checkEntry(token: string): void {
    if (typeof token !== "string" || token.length === 0) throw new TurnkeyAuthError("missing_token", "No session token was presented");
    if (token.length > maxTokenLength) throw new TurnkeyAuthError("malformed_token", "The token is malformed: it is longer than allowed");
    if (startsWithBearer(token)) {
      throw new TurnkeyAuthError("malformed_token", 'The token is malformed: it starts with "Bearer ", so it is the Authorization header\'s value; pass the token alone (extractToken reads it from a request)');
    }
  }

  function checkUncached(token: string): TurnkeySession | Promise<TurnkeySession> {
    const refusal = refusals.get(token);
    if (refusal === undefined) return verifySignature(token).then((session) => admit(token, session, false));
    if (refusal.code === "invalid_signature") throw refusalError("invalid_signature");
    return admit(token, refusal.session, false);
  }

  // The session a token's signature vouches for, whatever its expiry, trust or revocation.
  async function signedSession(token: string): Promise<TurnkeySession> {
    checkEntry(token);
    const refusal = refusals.get(token);
    return sessions.get(token) ?? (refusal !== undefined && "session" in refusal ? refusal.session : verifySignature(token));
  }

  return {
    async verify(token) {
      if (!metrics.enabled) return check(token);
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const session = await check(token);
        metrics.verification(seconds(), { outcome: "ok" });
        return session;
      } catch (error) {
        metrics.verification(seconds(), { outcome: isTurnkeyAuthError(error) ? error.code : "error" });
        throw error;
      }
    },
    cached(token) {
      const known = sessions.get(token);
      if (known === undefined || waitingCheck(token) !== undefined) return undefined;
      metrics.cacheLookups(1, HIT);
      try {
        const outcome = shared(token, admit(token, known, true));
        if (!(outcome instanceof Promise)) return outcome;
        outcome.catch(() => undefined); // the verify() that follows shares it and reports its outcome
      } catch {
        // refused: verify() says why, from what was just remembered
      }
      return undefined;
    },
    async revoke(tokenOrSession) {
      const session = typeof tokenOrSession === "string" ? await signedSession(tokenOrSession) : tokenOrSession;
      if (!isRevocableSession(session)) {
        throw new TypeError("turnkey-session-auth: revoke() takes a token or a session from verify()");
      }
      await revocations.revoke(session);
    },
    store: resolved.store,
    notarizerPublicKey: resolved.notarizerPublicKey,
    clearCache() {
      sessions.clear();
      refusals.clear();
    },
  };
}

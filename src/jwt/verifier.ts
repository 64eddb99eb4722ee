import { TurnkeyAuthError } from "../errors.js";
import { bearerCredentialOf } from "../http/extract-token.js";
import { LruCache } from "./lru.js";
import { nativeCrypto } from "../crypto/native.js";
import { hasScalarsInRange } from "../crypto/p256.js";
import { parseJsonBytes, parseToken } from "./parse.js";
import { resolveTo } from "../promises.js";
import { sessionFromPayload, type TurnkeySession } from "./claims.js";
import { createResolverCheck, fixedTrust, untrusted } from "./trust.js";
import { resolveVerifyOptions, type VerifyOptions } from "./options.js";

/**
 * Verifies Turnkey session JWTs with one imported key and one cache. Create it once at start-up
 * and share it: that is what makes repeated tokens nearly free.
 *
 * @example
 * ```ts
 * const verifier = createSessionVerifier({ trustedOrganizations: ["org-id"] });
 * const session = await verifier.verify(token);
 * ```
 */
export interface SessionVerifier {
  /**
   * Resolves with the session, or rejects with a {@link TurnkeyAuthError}: signature, claims,
   * expiry (against `now`, on every call) and organization trust (a trust function is asked on
   * every call; a list, which cannot change, is consulted once per token).
   */
  verify(token: string): Promise<TurnkeySession>;
  /** The notarizer key this verifier trusts, as configured (hex). */
  readonly notarizerPublicKey: string;
  /** Forgets every cached verification and remembered refusal. */
  clearCache(): void;
}

// Refusals are remembered too, apart from the sessions: failed signatures; expired tokens; and with
// a fixed trust list the sessions of other organizations (every Turnkey customer's sessions carry
// the same notarizer's signature). Replaying one costs no crypto, a flood of them never evicts this
// service's own sessions, and the bound keeps distinct ones from growing memory.
const MAX_REMEMBERED_REFUSALS = 1024;

// A correctly signed token refused for its claims, remembered with its expiry: expiry is judged
// again on every replay, so an expired token is refused as expired whatever else is wrong with
// it, and one the clock has gone back for (an NTP step, a test's clock) is verified anew.
interface RefusedSession {
  readonly expiresAt: number;
  /** Its organization is refused by the fixed trust list (for good: the list cannot change). */
  readonly foreign: boolean;
}

// The session cache is indexed by a 30-bit integer taken from the token's last characters (its
// signature's tail, effectively random) and a hit is confirmed by comparing the whole token (or
// the whole Authorization value it was read from, see sessionOfAuthorization). Every
// request brings a fresh token string whose hash V8 has not cached: hashing all ~420 characters
// cost ~0.6 µs per request, and even a 22-character slice cost a string hash, a key comparison and
// an allocation. An integer key costs the Map none of these (bench/RESULTS.md). Two valid tokens
// with the same index only evict each other. (Forgeries and in-flight checks stay keyed by the
// whole token: they are on the path that pays for an ECDSA verification anyway, and a forger
// choosing tails must not make forgeries evict each other.)
const CACHE_INDEX_CHARACTERS = 10;

function cacheIndexOf(token: string): number {
  // Characters before the last, which carries only 2 bits of a 64-byte signature's base64url.
  let index = 0;
  const end = Math.max(0, token.length - 1 - CACHE_INDEX_CHARACTERS);
  for (let position = token.length - 2; position >= end; position--) {
    index = (Math.imul(index, 31) + token.charCodeAt(position)) | 0;
  }
  return index & 0x3fffffff; // a small integer (Smi) on every V8 build
}

/** A session now, or a promise of one: what {@link synchronousVerify} returns. */
export type SessionOrPending = TurnkeySession | Promise<TurnkeySession>;

// A cached session, with the Authorization header value it was last presented in (exactly as
// received), so that the next request sending the same value is matched on that value alone.
// Invariant: `authorization` is `<scheme> <token>` for this session's token (see knownForm).
interface CachedSession {
  readonly session: TurnkeySession;
  authorization: string | undefined;
}

// "Bearer " (any case, one space) before the token: the spelling every client sends.
const SCHEME_AND_SPACE_LENGTH = 7;

/**
 * The synchronous entry points of a verifier made by {@link createSessionVerifier}.
 * `verify(token, authorization)`: `authorization` is the header value the token was read from
 * (`bearerCredentialOf(authorization) === token`), remembered with the session it verifies.
 */
interface SynchronousEntries {
  readonly verify: (token: string, authorization?: string) => SessionOrPending;
  /** See {@link sessionOfAuthorization}; absent when the trust resolver must be asked each time. */
  readonly sessionOfAuthorization: ((authorization: string) => TurnkeySession | undefined) | undefined;
}

// Verifiers made by createSessionVerifier in this copy of the library, with their synchronous
// entry points. Their verify() accepts only base64url JWS, so a caller may hand them a Bearer
// credential before checking its characters.
const synchronousEntries = new WeakMap<object, SynchronousEntries>();

/** Whether `verifier` came from this copy's {@link createSessionVerifier} (not a look-alike). */
export function isLibraryVerifier(verifier: unknown): boolean {
  return typeof verifier === "object" && verifier !== null && synchronousEntries.has(verifier);
}

/**
 * The synchronous form of `verifier.verify`: a function returning the session itself when no work
 * is pending (a cached session with a synchronous trust answer: the normal request), a promise
 * otherwise, and throwing the failures known at once. Adapters use it so a known session costs no
 * microtask hop. Verifiers not made by {@link createSessionVerifier} get their own `verify()`.
 *
 * @example
 * ```ts
 * const verifyNow = synchronousVerify(verifier);
 * const session = verifyNow(token);
 * if (session instanceof Promise) await session;
 * ```
 */
export function synchronousVerify(verifier: SessionVerifier): (token: string, authorization?: string) => SessionOrPending {
  return synchronousEntries.get(verifier)?.verify ?? ((token) => verifier.verify(token));
}

/**
 * For a verifier made by {@link createSessionVerifier} with a fixed trust list (or `"any"`): a
 * function returning the cached, unexpired session whose token was last presented in exactly this
 * `Authorization` header value, or `undefined` (then parse the value and verify the token as
 * usual). Equal values hold equal tokens, so the session is the token's. It saves the normal
 * request of a known session its parsing and the comparison of a token sliced out of the header:
 * V8 compares a sliced string in its runtime, a header value as received inline, about a
 * microsecond less per request in an HTTP server (bench/RESULTS.md). `undefined` for other
 * verifiers and for trust resolvers, which must be asked on every request.
 *
 * @example
 * ```ts
 * const authorization = authorizationHeader(request); // duplicates refused
 * const known = authorization === undefined ? undefined : sessionOfAuthorization(verifier)?.(authorization);
 * ```
 */
export function sessionOfAuthorization(verifier: SessionVerifier): ((authorization: string) => TurnkeySession | undefined) | undefined {
  return synchronousEntries.get(verifier)?.sessionOfAuthorization;
}

function missingToken(): TurnkeyAuthError {
  return new TurnkeyAuthError("missing_token", "No session token was presented");
}

function tooLong(): TurnkeyAuthError {
  return new TurnkeyAuthError("malformed_token", "The token is malformed: it is longer than allowed");
}

function badSignature(): TurnkeyAuthError {
  return new TurnkeyAuthError("invalid_signature", "The token's signature is not valid for the trusted notarizer key");
}

function expired(): TurnkeyAuthError {
  return new TurnkeyAuthError("token_expired", "The token has expired");
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
 * app.use(async (req, res, next) => {
 *   req.session = await verifier.verify(bearerTokenOf(req));
 *   next();
 * });
 * ```
 */
export function createSessionVerifier(options: VerifyOptions): SessionVerifier {
  const resolved = resolveVerifyOptions(options);
  const { now, maxTokenLength, clockToleranceSeconds } = resolved;
  const crypto = nativeCrypto();
  const checkSignature = crypto.importP256Key(resolved.notarizerPoint);
  const { trustedOrganizations } = resolved;
  // A list or "any" judges a token once, before its session enters the cache, so a cache hit needs
  // no trust check; a resolver function may change its answers and is asked on every call.
  const trustsForGood = fixedTrust(trustedOrganizations);
  const askResolver = typeof trustedOrganizations === "function" ? createResolverCheck(trustedOrganizations) : undefined;
  const caching = resolved.cacheMaxEntries > 0;
  const verified = caching ? new LruCache<number, CachedSession>(resolved.cacheMaxEntries) : undefined;
  const forgeries = caching ? new LruCache<string, true>(MAX_REMEMBERED_REFUSALS) : undefined;
  const refusedSessions = caching ? new LruCache<string, RefusedSession>(MAX_REMEMBERED_REFUSALS) : undefined;
  const inFlight = new Map<string, Promise<TurnkeySession>>();
  const offersAuthorizationLookup = verified !== undefined && askResolver === undefined;

  // The header value to remember with `token`'s session: only where sessionOfAuthorization is
  // offered, and only `<scheme> <token>` exactly, parsed again here (by the one Bearer parser)
  // rather than trusted from the caller. So a remembered value always holds this token, indexes to
  // its entry, and is no longer than the token plus seven characters (a padded spelling, which could
  // be kilobytes, is not kept). Runs only when a value is to be remembered, never on a known one.
  function knownForm(token: string, authorization: string | undefined): string | undefined {
    return offersAuthorizationLookup &&
      authorization !== undefined &&
      authorization.length === token.length + SCHEME_AND_SPACE_LENGTH &&
      bearerCredentialOf(authorization) === token
      ? authorization
      : undefined;
  }

  function isExpired(expiresAt: number): boolean {
    // Expired when exp <= now − tolerance, as jose does; RFC 7519 §4.1.4. Negated so that a
    // clock answering NaN (e.g. from undefined) fails closed instead of never expiring.
    return !(expiresAt > now() / 1000 - clockToleranceSeconds);
  }

  async function verifySignatureAndClaims(token: string): Promise<TurnkeySession> {
    const { signingInput, payload, signature } = parseToken(token);
    if (!hasScalarsInRange(signature)) throw badSignature();
    // Turnkey signs sha256(signingInput) with a signer that hashes once more (see
    // @turnkey/crypto verifySessionJwtSignature), so the ECDSA message is the first digest.
    const digest = crypto.sha256Ascii(signingInput);
    const firstDigest = digest instanceof Uint8Array ? digest : await digest;
    if (!(await checkSignature(firstDigest, signature))) {
      forgeries?.set(token, true);
      throw badSignature();
    }
    const claims = parseJsonBytes(payload);
    if (claims === undefined) {
      throw new TurnkeyAuthError("invalid_claims", "The token's claims are invalid: the payload is not JSON");
    }
    return sessionFromPayload(claims, token);
  }

  function verifyOnce(token: string): Promise<TurnkeySession> {
    const pending = inFlight.get(token);
    if (pending !== undefined) return pending;
    const check = verifySignatureAndClaims(token).finally(() => inFlight.delete(token));
    inFlight.set(token, check);
    return check;
  }

  // A token this verifier refused before, refused again at once: no crypto, no promise.
  function throwIfRemembered(token: string): void {
    if (forgeries?.get(token) === true) throw badSignature();
    const refused = refusedSessions?.get(token);
    if (refused === undefined) return;
    if (isExpired(refused.expiresAt)) throw expired();
    if (refused.foreign) throw untrusted();
    refusedSessions!.delete(token); // expired before, not now: the clock went back
  }

  async function verifyUncached(token: string, index: number, authorization: string | undefined): Promise<TurnkeySession> {
    const session = await verifyOnce(token);
    const expiredNow = isExpired(session.expiresAt);
    const foreign = trustsForGood !== undefined && !trustsForGood(session.organizationId);
    if (expiredNow || foreign) {
      refusedSessions?.set(token, { expiresAt: session.expiresAt, foreign });
      throw expiredNow ? expired() : untrusted(); // expiry first, as on a replay
    }
    // Cached only once trusted: a refused session must not evict this service's own.
    const trust = askResolver?.(session);
    if (trust !== undefined) await trust;
    verified?.set(index, { session, authorization: knownForm(token, authorization) });
    return session;
  }

  // Not `async`: a cache hit (trusted for good by a list or "any", or by a resolver answering
  // from its own cache) returns the session itself, with no promise to settle, and a remembered
  // refusal throws at once.
  function verifySynchronouslyIfCached(token: string, authorization?: string): SessionOrPending {
    if (typeof token !== "string" || token.length === 0) throw missingToken();
    if (token.length > maxTokenLength) throw tooLong();
    const index = cacheIndexOf(token);
    if (verified === undefined) return verifyUncached(token, index, authorization);
    const cached = verified.get(index);
    if (cached === undefined || cached.session.token !== token) {
      throwIfRemembered(token);
      return verifyUncached(token, index, authorization);
    }
    const { session } = cached;
    if (isExpired(session.expiresAt)) {
      verified.delete(index);
      refusedSessions!.set(token, { expiresAt: session.expiresAt, foreign: false });
      throw expired();
    }
    // Presented in another header value (another client's spelling, or first by verify()): the
    // next request in this one is matched on it.
    if (authorization !== undefined && cached.authorization !== authorization) {
      const remembered = knownForm(token, authorization);
      if (remembered !== undefined) cached.authorization = remembered;
    }
    if (askResolver === undefined) return session; // trusted for good before it was cached
    const trust = askResolver(session);
    return trust === undefined ? session : resolveTo(trust, session);
  }

  // A header value ends with its token, so its last characters index the token's entry (a value
  // with anything after the token indexes elsewhere: a miss, and the full path).
  function sessionOfAuthorization(authorization: string): TurnkeySession | undefined {
    const cached = verified!.get(cacheIndexOf(authorization));
    if (cached === undefined || cached.authorization !== authorization) return undefined;
    // An expired session takes the full path, which refuses it and remembers the refusal.
    return isExpired(cached.session.expiresAt) ? undefined : cached.session;
  }

  // Every throw becomes a rejection, as from an async function.
  function verify(token: string): Promise<TurnkeySession> {
    try {
      const session = verifySynchronouslyIfCached(token);
      return session instanceof Promise ? session : Promise.resolve(session);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const verifier: SessionVerifier = {
    verify,
    notarizerPublicKey: resolved.notarizerPublicKey,
    clearCache() {
      verified?.clear();
      forgeries?.clear();
      refusedSessions?.clear();
    },
  };
  synchronousEntries.set(verifier, {
    verify: verifySynchronouslyIfCached,
    sessionOfAuthorization: offersAuthorizationLookup ? sessionOfAuthorization : undefined,
  });
  return verifier;
}

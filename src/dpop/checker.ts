import { encodeBase64Url } from "../crypto/base64url.js";
import { nativeCrypto, type P256SignatureCheck } from "../crypto/native.js";
import { hasScalarsInRange, parseP256PublicKey } from "../crypto/p256.js";
import { TurnkeyAuthError } from "../errors.js";
import type { TurnkeySession } from "../jwt/claims.js";
import { LruCache } from "../jwt/lru.js";
import type { SessionStore } from "../store/session-store.js";
import { normalizedHtu, originOfHost, pathOfTarget } from "./htu.js";
import { createDpopNonces } from "./nonce.js";
import type { ResolvedDpopOptions } from "./options.js";
import { parseDpopProof, type ParsedDpopProof } from "./proof.js";

/**
 * What a DPoP check reads of a request: the `DPoP` header's one value, the method, the target
 * (origin-form or absolute-form) and, with `trustHostHeader`, the `Host` header.
 * @example `const request: DpopRequest = { proof, method: "GET", target: "/things?x=1", host: "api.example.com" };`
 */
export interface DpopRequest {
  readonly proof: string | undefined;
  readonly method: string;
  readonly target: string;
  readonly host: string | undefined;
}

/**
 * Checks DPoP proofs (RFC 9449 §4.3) against the session their token names. `precheck` judges
 * what needs no session and no hash; `verify` the rest, once the token's session is known.
 * @example
 * ```ts
 * const proof = checker.precheck(request);
 * await checker.verify(proof, token, session);
 * ```
 */
export interface DpopChecker {
  /** Syntax, `htm`, `htu` and `iat`; throws a {@link TurnkeyAuthError}. */
  precheck(request: DpopRequest): ParsedDpopProof;
  /** `ath`, the key, the server nonce (when on), the signature, then `jti` replay; rejects with a {@link TurnkeyAuthError}. */
  verify(proof: ParsedDpopProof, token: string, session: TurnkeySession): Promise<void>;
}

/** The session key, imported once for every proof it signs. */
interface SessionKey {
  readonly x: string;
  readonly y: string;
  readonly check: P256SignatureCheck;
}

/** What every proof with one token is compared with: its `ath` and the session key. */
interface Binding {
  readonly ath: string;
  readonly key: SessionKey | undefined;
}

const MAX_BINDINGS = 10_000;
const asciiEncoder = new TextEncoder();

function refuse(code: "dpop_key_mismatch" | "dpop_method_mismatch" | "dpop_url_mismatch" | "dpop_stale_proof" | "dpop_token_mismatch" | "dpop_invalid_signature" | "dpop_replayed", message: string): TurnkeyAuthError {
  return new TurnkeyAuthError(code, message);
}

/**
 * Creates a {@link DpopChecker} over validated options, the store that remembers `jti`s for the
 * window, and the clock.
 *
 * @example
 * ```ts
 * const checker = createDpopChecker(resolveDpopOptions({ origin: "https://api.example.com" }), verifier.store, Date.now);
 * ```
 */
export function createDpopChecker(options: ResolvedDpopOptions, store: SessionStore, now: () => number): DpopChecker {
  const crypto = nativeCrypto();
  // Keyed by token: a token names one session key, and its hash is the same on every request.
  const bindings = new LruCache<string, Binding>(MAX_BINDINGS);
  // A proof is acceptable from iat − futureSeconds to iat + maxAgeSeconds: its jti is kept that long.
  const replayWindowMs = (options.maxAgeSeconds + options.futureSeconds) * 1000 || 1000;
  const nonces = options.nonce === undefined ? undefined : createDpopNonces(options.nonce, now);

  // RFC 9449 §9: a proof without a nonce this service issued recently is refused with a fresh one
  // (§8: the client retries with it). Checked before the signature, as it costs less.
  async function checkNonce(nonce: string | undefined): Promise<void> {
    if (nonces === undefined || (nonce !== undefined && (await nonces.isFresh(nonce)))) return;
    const message = nonce === undefined ? "This resource requires a server nonce in the DPoP proof" : "The DPoP proof's nonce is not a current one from this server";
    throw new TurnkeyAuthError("use_dpop_nonce", message, { dpopNonce: await nonces.current() });
  }

  function expectedOrigins(host: string | undefined): ReadonlySet<string> | string | undefined {
    if (options.origins.size > 0) return options.origins;
    return host === undefined ? undefined : originOfHost(host);
  }

  function checkUrl(htu: string, request: DpopRequest): void {
    const path = pathOfTarget(request.target);
    const allowed = expectedOrigins(request.host);
    const claimed = normalizedHtu(htu);
    if (path === undefined || allowed === undefined || claimed === undefined) throw refuse("dpop_url_mismatch", "The DPoP proof's htu is not this request's URL");
    const origin = typeof allowed === "string" ? allowed : [...allowed].find((candidate) => claimed.startsWith(`${candidate}/`));
    if (origin === undefined || normalizedHtu(origin + path) !== claimed) throw refuse("dpop_url_mismatch", "The DPoP proof's htu is not this request's URL");
  }

  async function bindingOf(token: string, session: TurnkeySession): Promise<Binding> {
    const known = bindings.get(token);
    if (known !== undefined) return known;
    const point = parseP256PublicKey(session.publicKey);
    const key = point === undefined ? undefined : { x: encodeBase64Url(point.x), y: encodeBase64Url(point.y), check: crypto.importP256Key(point) };
    const binding = { ath: encodeBase64Url(await crypto.sha256Ascii(token)), key };
    bindings.set(token, binding);
    return binding;
  }

  return {
    precheck(request) {
      if (request.proof === undefined) throw new TurnkeyAuthError("invalid_dpop_proof", "The DPoP proof is invalid: the request has no DPoP header");
      const proof = parseDpopProof(request.proof);
      // RFC 9110 §9.1: methods are case-sensitive.
      if (proof.htm !== request.method) throw refuse("dpop_method_mismatch", "The DPoP proof's htm is not this request's method");
      checkUrl(proof.htu, request);
      const nowSeconds = now() / 1000;
      // Negated so that a clock answering NaN fails closed.
      if (!(proof.iat >= nowSeconds - options.maxAgeSeconds && proof.iat <= nowSeconds + options.futureSeconds)) {
        throw refuse("dpop_stale_proof", "The DPoP proof's iat is outside the accepted window");
      }
      return proof;
    },

    async verify(proof, token, session) {
      const { ath, key } = await bindingOf(token, session);
      if (ath !== proof.ath) throw refuse("dpop_token_mismatch", "The DPoP proof's ath is not the hash of this token");
      // RFC 9449 §4.3 check 12, with the session's own key in place of cnf.jkt: the same point,
      // compared in its one canonical encoding (RFC 7518 §6.2.1.2 full-length coordinates).
      if (key === undefined || key.x !== proof.jwk.x || key.y !== proof.jwk.y) throw refuse("dpop_key_mismatch", "The DPoP proof's key is not the session's key");
      await checkNonce(proof.nonce);
      // The imported session key, never the header's jwk (which only had to name it).
      const signed = hasScalarsInRange(proof.signature) && (await key.check(asciiEncoder.encode(proof.signingInput), proof.signature));
      if (!signed) throw refuse("dpop_invalid_signature", "The DPoP proof is not signed by the session's key");
      let first: boolean;
      try {
        first = await store.setIfAbsent(`dpop:${session.publicKey}:${proof.jti}`, "1", replayWindowMs);
      } catch (cause) {
        throw new TurnkeyAuthError("unavailable", "The DPoP proof could not be checked for replay", { cause });
      }
      if (first !== true) throw refuse("dpop_replayed", "The DPoP proof was already used");
    },
  };
}

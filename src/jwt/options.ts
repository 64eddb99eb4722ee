import { PRODUCTION_NOTARIZER_PUBLIC_KEY } from "./notarizer-key.js";
import { parseP256PublicKey, type P256Point } from "../crypto/p256.js";
import { createMemoryStore } from "../store/memory-store.js";
import type { SessionStore } from "../store/session-store.js";
import { isMeter, type MeterLike } from "../telemetry/meter.js";
import type { TrustedOrganizations } from "./trust.js";

/**
 * Options of {@link createSessionVerifier} and {@link verifySessionJwt}. Checked when the
 * verifier is created: a bad value throws a `TypeError` naming the option, never at request time.
 *
 * @example
 * ```ts
 * const options: VerifyOptions = {
 *   trustedOrganizations: [process.env.TURNKEY_ORGANIZATION_ID!],
 *   clockTolerance: 5,
 * };
 * ```
 */
export interface VerifyOptions {
  /** Required. Which organizations' sessions to accept; see {@link TrustedOrganizations}. */
  trustedOrganizations: TrustedOrganizations;
  /**
   * Hex P-256 key (compressed or uncompressed), or several: a token verifies under any of them, so
   * Turnkey's new key can be added before it signs and the old one removed after. Default: Turnkey's
   * production notarizer key.
   */
  notarizerPublicKey?: string | readonly string[];
  /** Seconds of leeway on `exp` for clock skew (RFC 7519 §4.1.4). Default 5, at most 300. */
  clockTolerance?: number;
  /**
   * The current time in milliseconds since the epoch. Default `Date.now`; inject it in tests. It is
   * called once when the verifier is created, and a clock that does not answer in milliseconds (a
   * Unix time in seconds, say) throws a `TypeError` then.
   */
  now?: () => number;
  /** Longest token accepted, in characters, checked before any decoding. Default 8192. */
  maxTokenLength?: number;
  /** The cache of verified sessions (LRU, one entry per token). Default `{ maxEntries: 16_000 }` (~16 MB, ~1 KB a session). */
  cache?: { maxEntries?: number } | false;
  /**
   * Where state shared with other verifiers lives (revoked sessions, DPoP proof ids). Default: a
   * store of this verifier's own, in memory ({@link createMemoryStore}); pass one shared store to every
   * verifier, and a Redis store (`turnkey-session-auth/redis`) to share it across instances.
   */
  store?: SessionStore;
  /**
   * An OpenTelemetry `Meter` (`metrics.getMeter("turnkey-session-auth")` from `@opentelemetry/api`)
   * to record verification latency, cache look-ups and size, and trust checks on; the adapters
   * also count requests by outcome on it. Default: no metrics.
   */
  meter?: MeterLike;
  /**
   * Called with every error of the store (a lost connection, a failed read or write): log it. The
   * verifier never grants on a check it could not make; see docs/revocation.md for what it answers.
   */
  onStoreError?: (error: unknown) => void;
}

/** {@link VerifyOptions} after validation, with defaults applied. */
export interface ResolvedVerifyOptions {
  readonly trustedOrganizations: TrustedOrganizations;
  readonly notarizerPublicKey: string | readonly string[];
  /** The points of `notarizerPublicKey`, in the order given. */
  readonly notarizerPoints: readonly P256Point[];
  readonly clockToleranceSeconds: number;
  readonly now: () => number;
  readonly maxTokenLength: number;
  readonly cacheMaxEntries: number;
  readonly store: SessionStore;
  readonly meter: MeterLike | undefined;
  readonly onStoreError: ((error: unknown) => void) | undefined;
}

// Sessions held by default: about 1 KB each (token, frozen claims, session), so ~16 MB.
const DEFAULT_CACHE_MAX_ENTRIES = 16_000;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

// Milliseconds since the epoch fall in this range from 1973 to the year 5138. A clock in seconds
// answers ~1.8e9 now, which read as milliseconds is January 1970: every token would look unexpired
// for decades, so the mistake fails open and must be caught before the first request.
const PLAUSIBLE_MILLISECONDS_FROM = 1e11;
const PLAUSIBLE_MILLISECONDS_UNTIL = 1e14;

function checkClock(now: unknown): () => number {
  if (typeof now !== "function") throw optionError("now", "must be a function returning milliseconds since the epoch");
  const sample: unknown = now();
  if (typeof sample !== "number" || !Number.isFinite(sample)) {
    throw optionError("now", "must return a finite number of milliseconds since the epoch (like Date.now())");
  }
  if (sample < PLAUSIBLE_MILLISECONDS_FROM || sample >= PLAUSIBLE_MILLISECONDS_UNTIL) {
    const unit = sample < PLAUSIBLE_MILLISECONDS_FROM ? "seconds or a counter" : "micro- or nanoseconds";
    throw optionError("now", `must return milliseconds since the epoch (like Date.now()); it returned ${sample}, which looks like ${unit}`);
  }
  return now as () => number;
}

function optionError(option: string, problem: string): TypeError {
  return new TypeError(`turnkey-session-auth: option "${option}" ${problem}`);
}

function isWholeNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function isSessionStore(value: unknown): value is SessionStore {
  if (typeof value !== "object" || value === null) return false;
  const store = value as Record<string, unknown>;
  return ["get", "set", "setIfAbsent", "delete"].every((method) => typeof store[method] === "function");
}

// A few keys at most: a rotation overlaps the old key and the new one, and each key is one more
// signature check for a forged token.
const MAX_NOTARIZER_KEYS = 4;

function checkNotarizerKeys(value: unknown): { notarizerPublicKey: string | readonly string[]; notarizerPoints: readonly P256Point[] } {
  const keys = Array.isArray(value) ? value : [value];
  if (keys.length === 0 || keys.length > MAX_NOTARIZER_KEYS) {
    throw optionError("notarizerPublicKey", `must be one key or a list of 1 to ${MAX_NOTARIZER_KEYS} keys`);
  }
  const notarizerPoints = keys.map((key) => {
    const point = typeof key === "string" ? parseP256PublicKey(key) : undefined;
    if (point === undefined) throw optionError("notarizerPublicKey", "must be a P-256 public key in hex (SEC 1, compressed or uncompressed) on the curve");
    return point;
  });
  return { notarizerPublicKey: Array.isArray(value) ? Object.freeze([...keys]) as readonly string[] : (value as string), notarizerPoints };
}

function checkTrustedOrganizations(value: unknown): TrustedOrganizations {
  if (value === undefined) {
    throw optionError(
      "trustedOrganizations",
      'is required: every Turnkey customer\'s sessions are signed by the same notarizer key, so a valid signature does not prove the organization is yours. Pass your organization ids, a function deciding per organization, or "any" to accept sessions of every Turnkey organization.',
    );
  }
  if (value === "any" || typeof value === "function") return value as TrustedOrganizations;
  if (!Array.isArray(value)) throw optionError("trustedOrganizations", 'must be an array of organization ids, a function, or "any"');
  if (value.length === 0) throw optionError("trustedOrganizations", "is an empty list, which would refuse every session");
  if (!value.every((id) => typeof id === "string" && id.length > 0)) {
    throw optionError("trustedOrganizations", "must contain only non-empty organization id strings");
  }
  return Object.freeze([...value]) as readonly string[];
}

/**
 * Validates {@link VerifyOptions} and applies defaults.
 *
 * @example
 * ```ts
 * resolveVerifyOptions({ trustedOrganizations: "any" }).clockToleranceSeconds; // 5
 * resolveVerifyOptions({} as VerifyOptions); // TypeError: option "trustedOrganizations" is required…
 * ```
 */
export function resolveVerifyOptions(options: VerifyOptions): ResolvedVerifyOptions {
  if (typeof options !== "object" || options === null) throw new TypeError("turnkey-session-auth: options must be an object");
  const trustedOrganizations = checkTrustedOrganizations(options.trustedOrganizations);

  const { notarizerPublicKey, notarizerPoints } = checkNotarizerKeys(options.notarizerPublicKey ?? PRODUCTION_NOTARIZER_PUBLIC_KEY);

  const clockToleranceSeconds = options.clockTolerance ?? 5;
  if (typeof clockToleranceSeconds !== "number" || !(clockToleranceSeconds >= 0 && clockToleranceSeconds <= MAX_CLOCK_TOLERANCE_SECONDS)) {
    throw optionError("clockTolerance", `must be a number of seconds from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }

  const now = checkClock(options.now ?? Date.now);

  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!isWholeNumberIn(maxTokenLength, 64, 1_048_576)) throw optionError("maxTokenLength", "must be a whole number from 64 to 1048576");

  const cache = options.cache ?? {};
  let cacheMaxEntries = 0;
  if (cache !== false) {
    if (typeof cache !== "object" || cache === null) throw optionError("cache", "must be false or { maxEntries?: number }");
    cacheMaxEntries = cache.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
    if (!isWholeNumberIn(cacheMaxEntries, 1, 10_000_000)) throw optionError("cache.maxEntries", "must be a whole number from 1 to 10000000");
  }

  const store = options.store ?? createMemoryStore();
  if (!isSessionStore(store)) throw optionError("store", "must be a SessionStore (get, set, setIfAbsent and delete functions), such as createMemoryStore()");

  const onStoreError = options.onStoreError;
  if (onStoreError !== undefined && typeof onStoreError !== "function") throw optionError("onStoreError", "must be a function");

  const { meter } = options;
  if (meter !== undefined && !isMeter(meter)) throw optionError("meter", "must be an OpenTelemetry Meter (createCounter, createHistogram and createObservableGauge)");

  return { trustedOrganizations, notarizerPublicKey, notarizerPoints, clockToleranceSeconds, now, maxTokenLength, cacheMaxEntries, store, meter, onStoreError };
}

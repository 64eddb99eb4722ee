import { originOf } from "./htu.js";
import type { ResolvedNonceOptions } from "./nonce.js";

/**
 * Whether a route takes DPoP-bound requests (RFC 9449): `"required"` refuses a Bearer token or
 * cookie (no downgrade); `"optional"` checks a proof when the request uses the `DPoP` scheme and
 * still accepts Bearer ones.
 * @example `turnkeyAuth({ trustedOrganizations: ["org-id"], dpop: "required", dpopOptions: { origin: "https://api.example.com" } })`
 */
export type DpopMode = "required" | "optional";

/**
 * How DPoP proofs are judged. Each proof's `htu` must name this service: give its public
 * `origin` (what browsers call, e.g. behind a proxy), or let the request's `Host` header name it
 * (`trustHostHeader`, only where a proxy you run sets that header).
 *
 * @example
 * ```ts
 * const dpopOptions: DpopOptions = { origin: ["https://api.example.com", "https://api.example.org"], maxAgeSeconds: 30 };
 * ```
 */
export interface DpopOptions {
  /** The public origin(s) proofs must name in `htu`, e.g. `"https://api.example.com"`. */
  origin?: string | readonly string[];
  /** Take the origin from the `Host` header, as `https://<host>`, where no `origin` is given. Default `false`. */
  trustHostHeader?: boolean;
  /** How old a proof's `iat` may be, in seconds. Default 60. */
  maxAgeSeconds?: number;
  /** How far ahead of this server's clock a proof's `iat` may be, in seconds. Default 5. */
  futureSeconds?: number;
  /**
   * Server nonces (RFC 9449 §9): every proof must carry a `nonce` this service issued recently,
   * else 401 `use_dpop_nonce` with a fresh `DPoP-Nonce` header. `true` for the defaults, or
   * {@link DpopNonceOptions} (give a `secret` when several instances serve the API). Default: off.
   */
  nonce?: boolean | DpopNonceOptions;
}

/**
 * Server nonces (RFC 9449 §9). A nonce is stateless: an HMAC of its period under `secret`, so any
 * instance with the same secret accepts it without a store.
 *
 * @example
 * ```ts
 * const nonce: DpopNonceOptions = { secret: process.env.DPOP_NONCE_SECRET!, lifetimeSeconds: 300 };
 * ```
 */
export interface DpopNonceOptions {
  /**
   * The HMAC key, at least 32 bytes (a string counts its UTF-8 bytes), e.g. from
   * `openssl rand -base64 32`. Give every instance the same one. Default: random per process, so
   * that a nonce from one instance is refused by another.
   */
  secret?: string | Uint8Array;
  /** Seconds a nonce is issued for: it is accepted for one to two of these. From 10 to 3600; default 300. */
  lifetimeSeconds?: number;
}

/** {@link DpopOptions} after validation. */
export interface ResolvedDpopOptions {
  readonly origins: ReadonlySet<string>;
  readonly trustHostHeader: boolean;
  readonly maxAgeSeconds: number;
  readonly futureSeconds: number;
  /** `undefined` when nonces are off. */
  readonly nonce: ResolvedNonceOptions | undefined;
}

const MAX_WINDOW_SECONDS = 3600;

function optionError(option: string, problem: string): TypeError {
  return new TypeError(`turnkey-session-auth: option "${option}" ${problem}`);
}

function seconds(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_WINDOW_SECONDS)) {
    throw optionError(option, `must be a whole number of seconds from 0 to ${MAX_WINDOW_SECONDS}`);
  }
  return value as number;
}

const MIN_SECRET_BYTES = 32;

function nonceOptions(value: unknown): ResolvedNonceOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== "object" || value === null || Array.isArray(value))) {
    throw optionError("dpopOptions.nonce", "must be true, false or { secret, lifetimeSeconds }");
  }
  const { secret, lifetimeSeconds = 300 } = value === true ? {} : (value as DpopNonceOptions);
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret instanceof Uint8Array ? new Uint8Array(secret) : undefined;
  if (secret !== undefined && (bytes === undefined || bytes.length < MIN_SECRET_BYTES)) {
    throw optionError("dpopOptions.nonce.secret", `must be a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (!(Number.isInteger(lifetimeSeconds) && lifetimeSeconds >= 10 && lifetimeSeconds <= MAX_WINDOW_SECONDS)) {
    throw optionError("dpopOptions.nonce.lifetimeSeconds", `must be a whole number of seconds from 10 to ${MAX_WINDOW_SECONDS}`);
  }
  return { secret: bytes, lifetimeSeconds };
}

/**
 * Validates {@link DpopOptions}: a bad value throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * const resolved = resolveDpopOptions({ origin: "https://api.example.com" });
 * ```
 */
export function resolveDpopOptions(options: DpopOptions | undefined): ResolvedDpopOptions {
  if (options !== undefined && (typeof options !== "object" || options === null)) throw optionError("dpopOptions", "must be an object");
  const { origin, trustHostHeader = false, maxAgeSeconds, futureSeconds, nonce } = options ?? {};
  const listed = origin === undefined ? [] : typeof origin === "string" ? [origin] : origin;
  if (!Array.isArray(listed)) throw optionError("dpopOptions.origin", "must be an origin or an array of origins");
  const origins = new Set<string>();
  for (const entry of listed as readonly unknown[]) {
    const normalized = typeof entry === "string" ? originOf(entry) : undefined;
    if (normalized === undefined) throw optionError("dpopOptions.origin", 'must hold http(s) origins such as "https://api.example.com"');
    origins.add(normalized);
  }
  if (typeof trustHostHeader !== "boolean") throw optionError("dpopOptions.trustHostHeader", "must be a boolean");
  if (origins.size === 0 && !trustHostHeader) {
    throw optionError("dpopOptions.origin", "is needed with dpop: name this service's public origin (or set trustHostHeader)");
  }
  return {
    origins,
    trustHostHeader,
    maxAgeSeconds: seconds(maxAgeSeconds, "dpopOptions.maxAgeSeconds", 60),
    futureSeconds: seconds(futureSeconds, "dpopOptions.futureSeconds", 5),
    nonce: nonceOptions(nonce),
  };
}

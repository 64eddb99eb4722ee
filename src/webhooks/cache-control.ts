// Reads the two Cache-Control directives the JWKS cache honours: max-age (RFC 9111 §5.2.2.1) and
// stale-if-error (RFC 5861 §4); no-store and no-cache mean "do not reuse without refetching".

/** Freshness of a JWKS answer, in milliseconds. */
export interface Freshness {
  readonly maxAgeMs: number;
  readonly staleIfErrorMs: number;
}

// A header longer than this is ignored as a whole (the defaults apply).
const MAX_HEADER_LENGTH = 1024;

/** The freshness a `Cache-Control` value grants; `fallback` for what it does not say. Linear: split and compare. */
export function freshnessOf(header: string | null | undefined, fallback: Freshness, ceilingMs: number): Freshness {
  if (header === null || header === undefined || header.length > MAX_HEADER_LENGTH) return fallback;
  let maxAgeMs = fallback.maxAgeMs;
  let staleIfErrorMs = fallback.staleIfErrorMs;
  for (const part of header.split(",")) {
    const directive = part.trim().toLowerCase();
    const equals = directive.indexOf("=");
    const name = equals < 0 ? directive : directive.slice(0, equals).trim();
    const seconds = equals < 0 ? undefined : secondsOf(directive.slice(equals + 1).trim());
    if (name === "no-store" || name === "no-cache") maxAgeMs = 0;
    else if (name === "max-age" && seconds !== undefined) maxAgeMs = Math.min(seconds * 1000, ceilingMs);
    else if (name === "stale-if-error" && seconds !== undefined) staleIfErrorMs = Math.min(seconds * 1000, ceilingMs);
  }
  return { maxAgeMs, staleIfErrorMs };
}

/** Delta-seconds (RFC 9111 §1.2.2): digits, optionally quoted; `undefined` otherwise. */
function secondsOf(value: string): number | undefined {
  const unquoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  if (unquoted.length === 0 || unquoted.length > 10) return undefined;
  for (let index = 0; index < unquoted.length; index++) {
    const code = unquoted.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return undefined;
  }
  return Number(unquoted);
}

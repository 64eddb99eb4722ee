import { TurnkeyAuthError } from "../errors.js";
import { readHeader, type RequestLike } from "./request.js";

/** Options of {@link extractToken}. */
export interface ExtractTokenOptions {
  /** Also read the token from this cookie when there is no `Authorization: Bearer` header. */
  cookieName?: string;
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. RFC 7235 §2.1 makes the scheme
// case-insensitive. The scheme and its spaces are read by hand; the b64token characters by this
// expression, kept apart so a caller that verifies the token next may defer it (see
// `uncheckedBearerToken`).
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function malformed(detail: string): TurnkeyAuthError {
  return new TurnkeyAuthError("malformed_token", `The Authorization header is malformed: ${detail}`);
}

/** The error for a Bearer header whose credential is not a b64token. */
export function malformedBearer(): TurnkeyAuthError {
  return malformed("expected 'Bearer <token>'");
}

/** Whether a Bearer credential has the b64token syntax of RFC 6750 §2.1. */
export function isB64Token(credential: string): boolean {
  return B64TOKEN.test(credential);
}

const NO_AUTHORIZATION = Symbol("no Authorization header");

// The one Authorization value, or NO_AUTHORIZATION. No array is built: this runs per request.
function authorizationValue(request: RequestLike): string | typeof NO_AUTHORIZATION {
  const raw = request.rawHeaders;
  if (raw !== undefined) {
    // Node drops repeated Authorization headers from req.headers; the raw list still has them.
    let found = 0;
    let value: string | undefined;
    for (let index = 0; index < raw.length; index += 2) {
      const name = raw[index] as string;
      if (name.length === 13 && name.toLowerCase() === "authorization") {
        // Several Authorization headers are refused, not guessed between (RFC 6750 §2: one
        // method, one credential).
        if (++found > 1) throw malformed("it was sent more than once");
        value = raw[index + 1] as string;
      }
    }
    return found === 0 ? NO_AUTHORIZATION : (value as string);
  }
  const value = readHeader(request.headers, "authorization");
  if (value === undefined) return NO_AUTHORIZATION;
  if (typeof value === "string") return value;
  if (value.length > 1) throw malformed("it was sent more than once");
  return value.length === 0 ? NO_AUTHORIZATION : (value[0] as string);
}

const SPACE = 0x20;
const TAB = 0x09;

// "bearer", any case: `| 0x20` lower-cases an ASCII letter and maps nothing else onto one.
function startsWithBearer(value: string): boolean {
  return (
    value.length >= 6 &&
    (value.charCodeAt(0) | 0x20) === 0x62 &&
    (value.charCodeAt(1) | 0x20) === 0x65 &&
    (value.charCodeAt(2) | 0x20) === 0x61 &&
    (value.charCodeAt(3) | 0x20) === 0x72 &&
    (value.charCodeAt(4) | 0x20) === 0x65 &&
    (value.charCodeAt(5) | 0x20) === 0x72
  );
}

/**
 * The one `Authorization` value of a request, as received (`undefined` when there is none). Throws
 * for several Authorization headers. The first half of {@link uncheckedBearerToken}, apart so that
 * a caller may look the whole value up (see `authenticate.ts`) before parsing it.
 */
export function authorizationHeader(request: RequestLike): string | undefined {
  const found = authorizationValue(request);
  return found === NO_AUTHORIZATION ? undefined : found;
}

/**
 * The credential of a Bearer `Authorization` value, its b64token characters not yet checked (see
 * {@link uncheckedBearerToken}); `undefined` for another scheme. Throws for a Bearer scheme without
 * a credential.
 */
export function bearerCredentialOf(authorization: string): string | undefined {
  const value = authorization.trim();
  if (!startsWithBearer(value)) return undefined; // another scheme (Basic, …) is not ours to judge
  let start = 6;
  if (value.length > 6) {
    const next = value.charCodeAt(6);
    // "Bearerx", "Bearer\u00a0…": not the Bearer scheme.
    if (next !== SPACE && next !== TAB) return undefined;
    while (value.charCodeAt(start) === SPACE) start++;
  }
  // "Bearer", "Bearer\t…": our scheme, but no "1*SP credential" (trim removed trailing spaces).
  if (start === 6) throw malformedBearer();
  return value.slice(start);
}

/**
 * The credential of a Bearer header, its b64token characters not yet checked: the caller must
 * check them with {@link isB64Token} before relying on the token, or hand the token to this
 * library's verifier first (which accepts only base64url JWS, a subset of b64token) and check only
 * when it refuses, to report the refusal exactly as `extractToken` would. The scan of a
 * ~400-character header is then skipped for every token the verifier accepts. `undefined` when
 * there is no Authorization header or it uses another scheme (the caller may then look for the
 * cookie with {@link tokenFromCookie}). Throws for several Authorization headers and for a Bearer
 * scheme without a credential.
 */
export function uncheckedBearerToken(request: RequestLike): string | undefined {
  const authorization = authorizationHeader(request);
  return authorization === undefined ? undefined : bearerCredentialOf(authorization);
}

/** The value of the session cookie `cookieName`; throws when it was sent more than once. */
export function tokenFromCookie(request: RequestLike, cookieName: string): string | undefined {
  const header = readHeader(request.headers, "cookie");
  if (header === undefined) return undefined;
  const cookieLine = typeof header === "string" ? header : header.join("; ");
  let found: string | undefined;
  for (const pair of cookieLine.split(";")) {
    const equals = pair.indexOf("=");
    if (equals < 0 || pair.slice(0, equals).trim() !== cookieName) continue;
    if (found !== undefined) throw new TurnkeyAuthError("malformed_token", "The session cookie was sent more than once");
    found = pair.slice(equals + 1).trim();
  }
  return found === "" ? undefined : found;
}

/**
 * Finds the session token of a request: the `Authorization: Bearer` header (scheme
 * case-insensitive, exactly one credential), else the named cookie. When both are present the
 * header wins, as in Hono's JWT middleware. Returns `undefined` when the request carries no
 * token; throws `TurnkeyAuthError("malformed_token")` for an unusable Bearer header, several
 * Authorization headers, or a repeated session cookie.
 *
 * @example
 * ```ts
 * const token = extractToken({ method: "GET", path: "/", params: {}, query: {}, headers: req.headers });
 * ```
 */
export function extractToken(request: RequestLike, options: ExtractTokenOptions = {}): string | undefined {
  const bearer = uncheckedBearerToken(request);
  if (bearer !== undefined) {
    // A Bearer header we cannot read is an error, never a reason to fall back to the cookie.
    if (!isB64Token(bearer)) throw malformedBearer();
    return bearer;
  }
  if (options.cookieName === undefined) return undefined;
  return tokenFromCookie(request, options.cookieName);
}

import { TurnkeyAuthError } from "./errors.js";
import { readHeader, type RequestLike } from "./request.js";

/** Options of {@link extractToken}. */
export interface ExtractTokenOptions {
  /** Also read the token from this cookie when there is no `Authorization: Bearer` header. */
  cookieName?: string;
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. RFC 7235 §2.1 makes the scheme
// case-insensitive.
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const BEARER_SCHEME = /^bearer(?:$|[ \t])/i;

function malformed(detail: string): TurnkeyAuthError {
  return new TurnkeyAuthError("malformed_token", `The Authorization header is malformed: ${detail}`);
}

function authorizationValues(request: RequestLike): readonly string[] {
  const raw = request.rawHeaders;
  if (raw !== undefined) {
    // Node drops repeated Authorization headers from req.headers; the raw list still has them.
    const values: string[] = [];
    for (let index = 0; index < raw.length; index += 2) {
      const name = raw[index] as string;
      if (name.length === 13 && name.toLowerCase() === "authorization") values.push(raw[index + 1] as string);
    }
    return values;
  }
  const value = readHeader(request.headers, "authorization");
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

function bearerFromAuthorization(request: RequestLike): string | undefined {
  const values = authorizationValues(request);
  if (values.length === 0) return undefined;
  // Several Authorization headers are refused, not guessed between (RFC 6750 §2: one method,
  // one credential).
  if (values.length > 1) throw malformed("it was sent more than once");
  const value = (values[0] as string).trim();
  const match = BEARER.exec(value);
  if (match !== null) return match[1];
  // A Bearer header we cannot read is an error; another scheme (Basic, …) is not ours to judge.
  if (BEARER_SCHEME.test(value)) throw malformed("expected 'Bearer <token>'");
  return undefined;
}

function tokenFromCookie(request: RequestLike, cookieName: string): string | undefined {
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
  const bearer = bearerFromAuthorization(request);
  if (bearer !== undefined || options.cookieName === undefined) return bearer;
  return tokenFromCookie(request, options.cookieName);
}

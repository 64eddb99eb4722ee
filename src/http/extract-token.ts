import { TurnkeyAuthError } from "../errors.js";
import { readHeader, type RequestLike } from "../request.js";

/**
 * Options of {@link extractToken}.
 * @example `extractToken(request, { cookieName: "turnkey_session" })`
 */
export interface ExtractTokenOptions {
  /** Also read the token from this cookie when there is no `Authorization: Bearer` header. */
  cookieName?: string;
}

/**
 * What {@link extractToken} reads: the headers of a {@link RequestLike}.
 * @example `const source: TokenSource = { headers: req.headers, rawHeaders: req.rawHeaders };`
 */
export type TokenSource = Pick<RequestLike, "headers" | "rawHeaders">;

const SPACE = 0x20;
const TAB = 0x09;

function malformed(detail: string): TurnkeyAuthError {
  return new TurnkeyAuthError("malformed_token", `The Authorization header is malformed: ${detail}`);
}

// The one Authorization value; several are refused, not guessed between (RFC 6750 §2: one
// method, one credential). Node keeps only the first in req.headers; the raw list has them all.
function authorizationOf(request: TokenSource): string | undefined {
  const raw = request.rawHeaders;
  if (raw !== undefined) {
    let value: string | undefined;
    for (let index = 0; index < raw.length; index += 2) {
      const name = raw[index] as string;
      if (name.length !== 13 || name.toLowerCase() !== "authorization") continue;
      if (value !== undefined) throw malformed("it was sent more than once");
      value = raw[index + 1] as string;
    }
    return value;
  }
  const value = readHeader(request.headers, "authorization");
  if (value === undefined || typeof value === "string") return value;
  if (value.length > 1) throw malformed("it was sent more than once");
  return value[0];
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; RFC 7235 §2.1: the scheme is
// case-insensitive in ASCII letters only (toLowerCase would also fold others, e.g. the Kelvin sign onto "k").
// `scheme` is all letters, so setting bit 0x20 folds exactly their upper case onto lower case.
function startsWithScheme(value: string, scheme: string): boolean {
  if (value.length < scheme.length) return false;
  for (let index = 0; index < scheme.length; index++) {
    if ((value.charCodeAt(index) | 0x20) !== (scheme.charCodeAt(index) | 0x20)) return false;
  }
  return true;
}

// The credential of a `scheme` value (RFC 9449 §7.1 gives DPoP the same syntax as Bearer);
// `undefined` for another scheme (Basic, …), not ours to judge.
function credentialOf(authorization: string, scheme: "Bearer" | "DPoP"): string | undefined {
  const value = authorization.trim();
  const length = scheme.length;
  if (!startsWithScheme(value, scheme)) return undefined;
  const separator = value.charCodeAt(length);
  // "Bearerx", "Bearer\u00a0…": another scheme. "Bearer", "Bearer\t…": ours, without "1*SP credential".
  if (value.length > length && separator !== SPACE && separator !== TAB) return undefined;
  if (separator !== SPACE) throw malformed(`expected '${scheme} <token>'`);
  let start = length + 1;
  while (value.charCodeAt(start) === SPACE) start++;
  const credential = value.slice(start);
  // One credential: RFC 6750's b64token holds no space, tab or comma (the Fetch API joins repeated
  // headers with ", "). Its characters are the verifier's to judge: it parses every token it has
  // not seen as canonical base64url, which is stricter than b64token.
  if (credential === "" || credential.includes(" ") || credential.includes("\t") || credential.includes(",")) {
    throw malformed(`expected '${scheme} <token>'`);
  }
  return credential;
}

// The value of the cookie `name`; a repeated one is refused, as a repeated header is.
function cookieValue(request: TokenSource, name: string): string | undefined {
  const header = readHeader(request.headers, "cookie");
  if (header === undefined) return undefined;
  let found: string | undefined;
  for (const pair of (typeof header === "string" ? header : header.join("; ")).split(";")) {
    const equals = pair.indexOf("=");
    if (equals < 0 || pair.slice(0, equals).trim() !== name) continue;
    if (found !== undefined) throw new TurnkeyAuthError("malformed_token", "The session cookie was sent more than once");
    found = pair.slice(equals + 1).trim();
  }
  return found === "" ? undefined : found;
}

/**
 * Finds the session token of a request: the `Authorization: Bearer` header (scheme
 * case-insensitive, exactly one credential), else the named cookie. When both are present the
 * header wins, as in Hono's JWT middleware. Returns `undefined` when the request carries no
 * token; throws `TurnkeyAuthError("malformed_token")` for a Bearer header without exactly one
 * credential, several Authorization headers, or a repeated session cookie. It finds the token;
 * whether its characters make a JWT is the verifier's to say. Linear in the headers' length.
 *
 * @example
 * ```ts
 * const token = extractToken({ headers: req.headers, rawHeaders: req.rawHeaders }, { cookieName: "session" });
 * ```
 */
export function extractToken(request: TokenSource, options: ExtractTokenOptions = {}): string | undefined {
  const authorization = authorizationOf(request);
  // A Bearer header we cannot read is an error, never a reason to fall back to the cookie.
  const bearer = authorization === undefined ? undefined : credentialOf(authorization, "Bearer");
  if (bearer !== undefined || options.cookieName === undefined) return bearer;
  return cookieValue(request, options.cookieName);
}

// What a Turnkey session JWT starts with: the base64url of `{"alg":"ES256",…}` begins `eyJ` (`{"`).
function looksLikeJwt(value: string): boolean {
  const firstDot = value.indexOf(".");
  const secondDot = firstDot < 0 ? -1 : value.indexOf(".", firstDot + 1);
  return value.startsWith("eyJ") && secondDot > 0 && value.indexOf(".", secondDot + 1) < 0;
}

// Whether a cookie other than `name` (every cookie, without one) holds what looks like a JWT.
function hasTokenInAnotherCookie(request: TokenSource, name: string | undefined): boolean {
  const header = readHeader(request.headers, "cookie");
  if (header === undefined) return false;
  return (typeof header === "string" ? header : header.join("; ")).split(";").some((pair) => {
    const equals = pair.indexOf("=");
    return equals >= 0 && pair.slice(0, equals).trim() !== name && looksLikeJwt(pair.slice(equals + 1).trim());
  });
}

/**
 * Where a request that {@link extractToken} found no token in seems to carry one anyway: an
 * `Authorization` header of another scheme (`Token …`, a bare token), or a cookie the app does
 * not read. Says what to do; never quotes the request. `undefined` when nothing was found.
 *
 * @example
 * ```ts
 * misplacedToken({ headers: { authorization: "Token eyJ…" } }); // "the Authorization header does not use the Bearer scheme: …"
 * ```
 */
export function misplacedToken(request: TokenSource, options: ExtractTokenOptions = {}): string | undefined {
  const authorization = authorizationOf(request);
  if (authorization !== undefined && authorization.trim() !== "") {
    return "the Authorization header does not use the Bearer scheme: send 'Authorization: Bearer <token>'";
  }
  if (!hasTokenInAnotherCookie(request, options.cookieName)) return undefined;
  return options.cookieName === undefined
    ? 'a cookie holds what looks like a session token, but this app reads no cookie: set the "cookieName" option'
    : 'a cookie holds what looks like a session token, but not the one this app reads: check the "cookieName" option';
}

/**
 * A session token and how it came: `Bearer` header, `DPoP` header (RFC 9449 §7.1), or cookie.
 * @example `const { token, scheme } = extractCredential(request, { dpop: true }) ?? {};`
 */
export interface Credential {
  readonly token: string;
  readonly scheme: "Bearer" | "DPoP" | "cookie";
}

/**
 * Like {@link extractToken}, also reading `Authorization: DPoP <token>` when `dpop` is set, and
 * saying which scheme carried the token. Linear in the headers' length.
 *
 * @example
 * ```ts
 * const credential = extractCredential({ headers: req.headers, rawHeaders: req.rawHeaders }, { dpop: true });
 * ```
 */
export function extractCredential(request: TokenSource, options: ExtractTokenOptions & { dpop?: boolean } = {}): Credential | undefined {
  const authorization = authorizationOf(request);
  if (authorization !== undefined) {
    const bearer = credentialOf(authorization, "Bearer");
    if (bearer !== undefined) return { token: bearer, scheme: "Bearer" };
    const dpop = options.dpop === true ? credentialOf(authorization, "DPoP") : undefined;
    if (dpop !== undefined) return { token: dpop, scheme: "DPoP" };
  }
  const cookie = options.cookieName === undefined ? undefined : cookieValue(request, options.cookieName);
  return cookie === undefined ? undefined : { token: cookie, scheme: "cookie" };
}

/**
 * The one `DPoP` header value of a request (RFC 9449 §4.3 check 1), `undefined` without one.
 * Throws `TurnkeyAuthError("invalid_dpop_proof")` for several: Node's raw list shows them all,
 * and a joined value (`a, b`) holds a comma, which a compact JWS never does.
 *
 * @example
 * ```ts
 * const proof = dpopProofOf({ headers: req.headers, rawHeaders: req.rawHeaders });
 * ```
 */
export function dpopProofOf(request: TokenSource): string | undefined {
  const several = () => new TurnkeyAuthError("invalid_dpop_proof", "The DPoP proof is invalid: the DPoP header was sent more than once");
  const raw = request.rawHeaders;
  let value: string | undefined;
  if (raw !== undefined) {
    for (let index = 0; index < raw.length; index += 2) {
      const name = raw[index] as string;
      if (name.length !== 4 || name.toLowerCase() !== "dpop") continue;
      if (value !== undefined) throw several();
      value = raw[index + 1] as string;
    }
  } else {
    const header = readHeader(request.headers, "dpop");
    if (header !== undefined && typeof header !== "string") {
      if (header.length > 1) throw several();
      value = header[0];
    } else {
      value = header;
    }
  }
  if (value !== undefined && value.includes(",")) throw several();
  return value === undefined ? undefined : value.trim();
}

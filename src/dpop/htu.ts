// The `htu` comparison (RFC 9449 §4.3 check 9): scheme, host and path of the URL the client called,
// query and fragment ignored, after RFC 3986 §6.2.2 and §6.2.3 normalisation (the WHATWG URL parser
// lower-cases scheme and host, drops a default port and dot segments; percent-encoding is done here).

// RFC 3986 §2.3: unreserved characters are decoded, other escapes upper-cased (§6.2.2.1, §6.2.2.2).
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/g;
const UNRESERVED = /^[A-Za-z0-9._~-]$/;
// An RFC 9110 Host: a DNS name or IPv4 address, or a bracketed IPv6 one, with an optional port.
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

function normalizeEscapes(path: string): string {
  return path.replace(PERCENT_ESCAPE, (escape) => {
    const character = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return UNRESERVED.test(character) ? character : escape.toUpperCase();
  });
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * An http(s) URL as `origin + path`, normalised, without query and fragment; `undefined` for
 * anything else (another scheme, user info, not a URL).
 *
 * @example
 * ```ts
 * normalizedHtu("HTTPS://Api.Example:443/a/%7euser?q=1"); // "https://api.example/a/~user"
 * ```
 */
export function normalizedHtu(text: string): string | undefined {
  const url = parseUrl(text);
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) return undefined;
  if (url.username !== "" || url.password !== "") return undefined;
  return url.origin + normalizeEscapes(url.pathname);
}

/**
 * The origin of a configured public URL (`https://api.example.com`), or `undefined` when it is not
 * a bare http(s) origin.
 *
 * @example
 * ```ts
 * originOf("https://API.example.com/"); // "https://api.example.com"
 * ```
 */
export function originOf(text: string): string | undefined {
  const url = parseUrl(text);
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) return undefined;
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") return undefined;
  return url.origin;
}

/**
 * The `https` origin named by a request's `Host` header, or `undefined` when it is not a plain host.
 *
 * @example
 * ```ts
 * originOfHost("api.example.com:8443"); // "https://api.example.com:8443"
 * ```
 */
export function originOfHost(host: string): string | undefined {
  return HOST.test(host) ? parseUrl(`https://${host}`)?.origin : undefined;
}

/**
 * The path of a request target (origin-form `/a/b?q`, or absolute-form `http://h/a/b?q`), without
 * query and fragment; `undefined` for another form.
 *
 * @example
 * ```ts
 * pathOfTarget("/things/1?expand=all"); // "/things/1"
 * ```
 */
export function pathOfTarget(target: string): string | undefined {
  if (target.startsWith("/")) {
    const query = target.indexOf("?");
    const path = query < 0 ? target : target.slice(0, query);
    const fragment = path.indexOf("#");
    return fragment < 0 ? path : path.slice(0, fragment);
  }
  return parseUrl(target)?.pathname;
}

import type { IncomingHttpHeaders } from "node:http";

/**
 * Which browser origins may call the emulator (CORS). `"localhost"` (the default): any page served
 * from `localhost`, `127.0.0.1` or `[::1]`, on any port, over http or https: the pages of a local
 * dev server, never a site on the internet. `"*"`: any origin. A list: exactly these serialized
 * origins (`"http://localhost:5173"`). An empty list: no CORS headers at all.
 *
 * @example
 * ```ts
 * const emulator = await startTurnkeyEmulator({ cors: { allowedOrigins: ["http://localhost:5173"] } satisfies EmulatorCorsOptions });
 * ```
 */
export interface EmulatorCorsOptions {
  readonly allowedOrigins: "localhost" | "*" | readonly string[];
}

// Every header Turnkey's browser SDKs send (@turnkey/core, @turnkey/sdk-browser, @turnkey/http):
// none is CORS-safelisted, so each of their calls is preceded by a preflight.
const ALLOWED_HEADERS = [
  "content-type",
  "x-client-version",
  "x-stamp",
  "x-stamp-webauthn",
  "x-stamp-attested",
  "x-auth-proxy-config-id",
  "x-captcha-token",
  "x-session",
].join(", ");
const LOCAL_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
// A serialized origin is scheme://host[:port]; anything longer is no origin worth parsing.
const MAX_ORIGIN_LENGTH = 2048;

/** The serialized origin `value` is, or `undefined` (not an http(s) origin as a browser writes it). */
function serializedOrigin(value: string): string | undefined {
  if (value.length > MAX_ORIGIN_LENGTH) return undefined;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The CORS policy of one emulator: decides per request which headers its answers carry. */
export class CorsPolicy {
  readonly #allowed: "localhost" | "*" | ReadonlySet<string>;

  /** Checks the option; a `TypeError` naming it otherwise. */
  constructor(options: EmulatorCorsOptions | undefined) {
    const allowed = options === undefined ? "localhost" : (options as { allowedOrigins?: unknown }).allowedOrigins;
    if (allowed === "localhost" || allowed === "*") {
      this.#allowed = allowed;
      return;
    }
    if (!Array.isArray(allowed) || !allowed.every((origin) => typeof origin === "string" && serializedOrigin(origin) !== undefined)) {
      throw new TypeError('startTurnkeyEmulator: cors.allowedOrigins must be "localhost", "*" or a list of origins such as "http://localhost:5173" (scheme, host and port only)');
    }
    this.#allowed = new Set(allowed as string[]);
  }

  /** The value of `Access-Control-Allow-Origin` for a request from `origin`, or `undefined` (not allowed). */
  allowOrigin(origin: string | undefined): string | undefined {
    if (origin === undefined) return undefined;
    if (this.#allowed === "*") return "*";
    if (this.#allowed !== "localhost") return this.#allowed.has(origin) ? origin : undefined;
    const serialized = serializedOrigin(origin);
    return serialized !== undefined && LOCAL_HOSTNAMES.has(new URL(serialized).hostname) ? serialized : undefined;
  }

  /** The headers of every answer (errors and injected faults included) to a request with these headers. */
  answerHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const allowOrigin = this.allowOrigin(originOf(headers));
    // Vary: the answer depends on Origin whenever the policy is not "*", allowed or not (RFC 9110 §12.5.5).
    const vary = this.#allowed === "*" ? {} : { vary: "Origin" };
    return allowOrigin === undefined ? vary : { ...vary, "access-control-allow-origin": allowOrigin };
  }

  /** The headers of the answer to a preflight (`OPTIONS`): none beyond `Vary` for an origin not allowed. */
  preflightHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const answer = this.answerHeaders(headers);
    if (answer["access-control-allow-origin"] === undefined) return answer;
    return {
      ...answer,
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": "600",
      // Chromium's Private Network Access asks before a page reaches a loopback address.
      ...(headers["access-control-request-private-network"] === "true" ? { "access-control-allow-private-network": "true" } : {}),
    };
  }
}

function originOf(headers: IncomingHttpHeaders): string | undefined {
  const origin = headers.origin;
  return typeof origin === "string" ? origin : undefined;
}

import { createDpopProof, htuOf, type DpopSigner } from "./proof.js";

/**
 * What {@link dpopFetch} signs with: the session token (or a function returning the current
 * one), and `sign` or `privateKey` as for `createDpopProof`.
 *
 * @example
 * ```ts
 * const options: DpopFetchOptions = { token: () => currentSessionJwt(), sign: (message) => turnkey.signWithApiKey({ message, publicKey }) };
 * ```
 */
export interface DpopFetchOptions {
  token: string | (() => string | Promise<string>);
  /** The session's public key (hex). Default: the token's `public_key` claim. */
  publicKey?: string;
  sign?: DpopSigner;
  privateKey?: CryptoKey;
  /** The fetch to call. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

// RFC 9449 §8.1: a nonce is 1*NQCHAR; a longer or other value from a server is not used.
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,512}$/;
// Nonces are per server (RFC 9449 §8): kept by origin, for a bounded number of origins.
const MAX_ORIGINS = 32;

function asksForNonce(response: Response): boolean {
  const challenge = response.headers.get("www-authenticate");
  return response.status === 401 && challenge !== null && challenge.includes('error="use_dpop_nonce"');
}

// Only a body that can be sent twice is retried (RFC 9449 §8 expects the client to retry where it can).
function canResend(request: Request | undefined, init: RequestInit | undefined): boolean {
  if (init?.body !== undefined && init.body !== null) return !(typeof ReadableStream !== "undefined" && init.body instanceof ReadableStream);
  return request === undefined || request.body === null;
}

/**
 * A `fetch` that sends each request with `Authorization: DPoP <token>` and a fresh `DPoP` proof
 * signed by the session key (RFC 9449). Where the server uses nonces (RFC 9449 §8), it keeps the
 * latest `DPoP-Nonce` each origin sent and puts it in later proofs; a `use_dpop_nonce` refusal is
 * retried once with the new nonce, unless the body is a stream (which cannot be sent twice).
 *
 * @example
 * ```ts
 * const api = dpopFetch({ token: sessionJwt, sign: (message) => turnkey.signWithApiKey({ message, publicKey }) });
 * const response = await api("https://api.example.com/me");
 * ```
 */
export function dpopFetch(options: DpopFetchOptions): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const nonces = new Map<string, string>();

  function remember(origin: string, response: Response): string | undefined {
    const nonce = response.headers.get("dpop-nonce");
    if (nonce === null || !NONCE.test(nonce)) return undefined;
    nonces.delete(origin);
    if (nonces.size >= MAX_ORIGINS) nonces.delete(nonces.keys().next().value as string);
    nonces.set(origin, nonce);
    return nonce;
  }

  return async (input, init) => {
    const token = typeof options.token === "function" ? await options.token() : options.token;
    const request = typeof Request !== "undefined" && input instanceof Request ? input : undefined;
    const method = init?.method ?? request?.method ?? "GET";
    const url = request?.url ?? htuOf(input as string | URL);
    const origin = new URL(url).origin;
    const { publicKey, sign, privateKey } = options;
    const send = async (nonce: string | undefined) => {
      const proof = await createDpopProof({
        token, method, url, ...(nonce === undefined ? {} : { nonce }),
        ...(publicKey === undefined ? {} : { publicKey }), ...(sign === undefined ? {} : { sign }), ...(privateKey === undefined ? {} : { privateKey }),
      });
      const headers = new Headers(init?.headers ?? request?.headers);
      headers.set("authorization", `DPoP ${token}`);
      headers.set("dpop", proof);
      return fetchImpl(input, { ...init, headers });
    };
    const sentNonce = nonces.get(origin);
    const response = await send(sentNonce);
    const nonce = remember(origin, response);
    if (nonce === undefined || nonce === sentNonce || !asksForNonce(response) || !canResend(request, init)) return response;
    // The refusal's body is not read: released so that the connection can serve the retry.
    await response.body?.cancel().catch(() => undefined);
    const retried = await send(nonce);
    remember(origin, retried);
    return retried;
  };
}

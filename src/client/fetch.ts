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

/**
 * A `fetch` that sends each request with `Authorization: DPoP <token>` and a fresh `DPoP` proof
 * signed by the session key (RFC 9449).
 *
 * @example
 * ```ts
 * const api = dpopFetch({ token: sessionJwt, sign: (message) => turnkey.signWithApiKey({ message, publicKey }) });
 * const response = await api("https://api.example.com/me");
 * ```
 */
export function dpopFetch(options: DpopFetchOptions): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  return async (input, init) => {
    const token = typeof options.token === "function" ? await options.token() : options.token;
    const request = typeof Request !== "undefined" && input instanceof Request ? input : undefined;
    const method = init?.method ?? request?.method ?? "GET";
    const url = request?.url ?? htuOf(input as string | URL);
    const { publicKey, sign, privateKey } = options;
    const proof = await createDpopProof({ token, method, url, ...(publicKey === undefined ? {} : { publicKey }), ...(sign === undefined ? {} : { sign }), ...(privateKey === undefined ? {} : { privateKey }) });
    const headers = new Headers(init?.headers ?? request?.headers);
    headers.set("authorization", `DPoP ${token}`);
    headers.set("dpop", proof);
    return fetchImpl(input, { ...init, headers });
  };
}

import { LruCache } from "./lru.js";

/** A bounded least-recently-used map from tokens to values, in which only the very same token finds its value. */
export class TokenCache<V> {
  readonly #entries: LruCache<string, { readonly token: string; readonly value: V }>;

  constructor(maxEntries: number) {
    this.#entries = new LruCache(maxEntries);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value held for exactly `token`, now the most recently used; `undefined` when absent. */
  get(token: string): V | undefined {
    if (typeof token !== "string") return undefined; // from JavaScript, verify() refuses it after this lookup
    const entry = this.#entries.get(signatureOf(token));
    return entry !== undefined && entry.token === token ? entry.value : undefined;
  }

  /** Holds `value` for `token`, in place of whatever another token with its signature held. */
  set(token: string, value: V): void {
    this.#entries.set(signatureOf(token), { token, value });
  }

  /** Forgets `token`, and only it: a forgery reusing its signature cannot evict it. */
  delete(token: string): void {
    const key = signatureOf(token);
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

// Entries are found by the token's signature and hold the whole token. A `Map` hashes every character
// of a new key string, and each request brings a new string: the signature is the part that differs
// between any two tokens, and a quarter of the length. An ES256 signature, 64 bytes, is 86 base64url
// characters (RFC 7518 §3.4), the end of a well-formed token; a malformed token still finds only its
// own entry, since the whole token is compared.
const SIGNATURE_LENGTH = 86;

function signatureOf(token: string): string {
  return token.slice(-SIGNATURE_LENGTH);
}

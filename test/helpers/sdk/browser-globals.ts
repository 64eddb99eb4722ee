// The few browser globals @turnkey/core and @turnkey/sdk-browser need in Node. Import this module
// BEFORE them: @turnkey/core reads `window.localStorage` when it is loaded, and with no window it
// silently keeps sessions nowhere. IndexedDB (where the session keys live, as non-extractable
// CryptoKeys) is fake-indexeddb; crypto.subtle, fetch, atob and TextEncoder are Node's own.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { SoftwareAuthenticator } from "./software-authenticator.js";

/** `localStorage`: a Map behind the Storage interface. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  clear(): void {
    this.#items.clear();
  }
}

/** The page's origin, as a browser would write it into clientDataJSON; the passkeys' RP id is its host. */
export const PAGE_ORIGIN = "http://localhost:5173";
export const authenticator = new SoftwareAuthenticator(PAGE_ORIGIN);

const globals = globalThis as Record<string, unknown>;
globals.localStorage = new MemoryStorage();
// @turnkey/core's isWeb(): `typeof window !== "undefined" && typeof document !== "undefined"`.
globals.window = globalThis;
globals.document = {};
globals.location = { hostname: "localhost", origin: PAGE_ORIGIN };
Object.defineProperty(globalThis, "navigator", { value: { credentials: authenticator.credentials, userAgent: "node" }, configurable: true });
// @turnkey/http's hasWebAuthnSupport() looks for it.
globals.PublicKeyCredential = function PublicKeyCredential() {};

/** A fresh browser profile: empty localStorage (the same object @turnkey/core holds) and IndexedDB. */
export function resetBrowserState(): void {
  (globals.localStorage as Storage).clear();
  globals.indexedDB = new IDBFactory();
}

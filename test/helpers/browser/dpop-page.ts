// The page of ./dpop.test.ts, bundled for Chromium: @turnkey/core makes its session key pair (a
// non-extractable CryptoKey in IndexedDB, as at login), and this library's dpopFetch signs each
// request with it through signWithApiKey.
import { TurnkeyClient } from "@turnkey/core";
import { dpopFetch } from "../../../src/client/index.js";

const client = new TurnkeyClient({ apiBaseUrl: location.origin, organizationId: "unused" });
await client.init();

Object.assign(globalThis, {
  /** The public half of a new session key, kept by @turnkey/core in IndexedDB. */
  createSessionKey: () => client.createApiKeyPair(),
  /** GET `path` with `Authorization: DPoP <token>` and a proof signed by that key. */
  async callWithProof(path: string, token: string, publicKey: string) {
    const signed = dpopFetch({ token, sign: (message) => client.signWithApiKey({ message, publicKey }) });
    const response = await signed(path);
    return { status: response.status, body: await response.json() };
  },
});
document.title = "ready";

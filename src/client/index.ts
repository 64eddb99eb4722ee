// turnkey-session-auth/client: the browser half of DPoP (RFC 9449), requests signed with the Turnkey
// session's own key. WebCrypto only: runs in browsers, workers and edge runtimes.
export { createDpopProof } from "./proof.js";
export type { DpopProofOptions, DpopSigner } from "./proof.js";
export { dpopFetch } from "./fetch.js";
export type { DpopFetchOptions } from "./fetch.js";

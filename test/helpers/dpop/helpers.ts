// What the DPoP tests share: a session whose key the test holds (as a browser holds its session
// key), tokens naming it, and proofs signed by it, well formed or bent one field at a time.
import { encodeBase64Url } from "../../../src/crypto/base64url.js";
import { createDpopProof } from "../../../src/client/index.js";
import { createTestNotarizer, type TestNotarizer } from "../../../src/testing/index.js";

export const ORIGIN = "https://api.example.com";
export const ALG = { name: "ECDSA", namedCurve: "P-256" } as const;
const encoder = new TextEncoder();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

export interface SessionKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** Compressed SEC 1 hex, as Turnkey's `public_key` claim. */
  readonly publicKeyHex: string;
  readonly jwk: { kty: "EC"; crv: "P-256"; x: string; y: string };
}

export async function createSessionKey(): Promise<SessionKey> {
  const { privateKey, publicKey } = (await crypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
  const publicKeyHex = ((raw[64] as number) & 1 ? "03" : "02") + hex(raw.subarray(1, 33));
  const jwk = { kty: "EC" as const, crv: "P-256" as const, x: encodeBase64Url(raw.subarray(1, 33)), y: encodeBase64Url(raw.subarray(33)) };
  return { privateKey, publicKey, publicKeyHex, jwk };
}

export interface Session {
  readonly key: SessionKey;
  readonly token: string;
  readonly notarizer: TestNotarizer;
}

export async function createSession(notarizer = createTestNotarizer(), claims: Record<string, unknown> = {}): Promise<Session> {
  const key = await createSessionKey();
  const token = await notarizer.sign({ organization_id: "org-1", public_key: key.publicKeyHex, ...claims });
  return { key, token, notarizer };
}

/** A proof by the client helper, with the session's own key. */
export function proofFor(session: Session, method: string, url: string, now = Date.now): Promise<string> {
  return createDpopProof({ token: session.token, method, url, privateKey: session.key.privateKey, now });
}

export const b64json = (value: unknown) => encodeBase64Url(encoder.encode(JSON.stringify(value)));

/** Any header and claims, signed with `privateKey` (ES256 over the signing input). */
export async function signProof(header: unknown, claims: unknown, privateKey: CryptoKey): Promise<string> {
  const signingInput = `${b64json(header)}.${b64json(claims)}`;
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, encoder.encode(signingInput)));
  return `${signingInput}.${encodeBase64Url(signature)}`;
}

export async function athOf(token: string): Promise<string> {
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(token))));
}

/** A well-formed header and claims for `session`, to bend in one place. */
export async function proofParts(session: Session, method: string, url: string, nowMs = Date.now()) {
  return {
    header: { typ: "dpop+jwt", alg: "ES256", jwk: session.key.jwk } as Record<string, unknown>,
    claims: { jti: crypto.randomUUID(), htm: method, htu: url, iat: Math.floor(nowMs / 1000), ath: await athOf(session.token) } as Record<string, unknown>,
  };
}

// The baseline for "cold under load": the same checks as the library's verifier, but with the
// signature verified synchronously on the event loop (node:crypto's one-shot verify without a
// callback) and no cache, i.e. what a single-threaded synchronous implementation serves. Plugged
// into the example apps through the adapters' `verifier` option. Benchmark use only.
import { createHash, createPublicKey, verify } from "node:crypto";
import { TurnkeyAuthError } from "../src/errors.js";
import { hasScalarsInRange } from "../src/crypto/p256.js";
import { parseJsonBytes, parseToken } from "../src/jwt/parse.js";
import { sessionFromPayload, type TurnkeySession } from "../src/jwt/claims.js";
import type { SessionVerifier } from "../src/jwt/verifier.js";

export function createSyncVerifier(options: { notarizerPublicKey: string; trustedOrganizations: readonly string[] }): SessionVerifier {
  const raw = Buffer.from(options.notarizerPublicKey, "hex");
  const key = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: raw.subarray(1, 33).toString("base64url"), y: raw.subarray(33).toString("base64url") },
    format: "jwk",
  });
  const keyWithEncoding = { key, dsaEncoding: "ieee-p1363" } as const;
  const trusted = new Set(options.trustedOrganizations);

  function verifyNow(token: string): TurnkeySession {
    const { signingInput, payload, signature } = parseToken(token);
    const digest = createHash("sha256").update(signingInput, "latin1").digest();
    if (!hasScalarsInRange(signature) || !verify("sha256", digest, keyWithEncoding, signature)) {
      throw new TurnkeyAuthError("invalid_signature", "The token's signature is not valid for the trusted notarizer key");
    }
    const session = sessionFromPayload(parseJsonBytes(payload), token);
    if (session.expiresAt <= Date.now() / 1000 - 5) throw new TurnkeyAuthError("token_expired", "The token has expired");
    if (!trusted.has(session.organizationId)) {
      throw new TurnkeyAuthError("untrusted_organization", "The session's organization is not trusted by this service");
    }
    return session;
  }

  return {
    verify: (token) => {
      try {
        return Promise.resolve(verifyNow(token));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    notarizerPublicKey: options.notarizerPublicKey,
    clearCache() {},
  };
}

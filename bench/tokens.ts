// Token minting for the benchmarks: real Turnkey-shaped session JWTs signed by a test notarizer
// (same claim set and lengths as Turnkey's own test vector), plus cheap invalid variants.
// Straight from the notarizer module: the testing entry point also loads the Turnkey emulator.
import { createTestNotarizer, type TestNotarizer } from "../src/testing/test-notarizer.js";

/** The organization every benchmark token belongs to (the servers trust exactly this one). */
export const BENCH_ORGANIZATION_ID = "c75ecb07-c84a-4dd5-932c-539dfafc6864";

export interface TokenPool {
  readonly notarizer: TestNotarizer;
  readonly tokens: string[];
}

/** Mints `count` distinct valid tokens (distinct `user_id`), expiring `expiresInSeconds` from now. */
export async function mintTokens(count: number, notarizer = createTestNotarizer(), expiresInSeconds = 3600): Promise<TokenPool> {
  const tokens = new Array<string>(count);
  for (let index = 0; index < count; index++) {
    const token = await notarizer.sign({ organization_id: BENCH_ORGANIZATION_ID }, { expiresInSeconds });
    // A flat copy: the signer's concatenations leave a rope that V8 flattens on first use, which
    // would shift memory and time into whichever measurement touches the token first.
    tokens[index] = Buffer.from(token, "latin1").toString("latin1");
  }
  return { notarizer, tokens };
}

/**
 * A distinct forged variant of a valid token: the signature of `source`, over a payload whose
 * `user_id` was changed (same length). Well formed, so it costs one full signature check.
 */
export function forgeToken(source: string, variant: number): string {
  const [header, payload, signature] = source.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const tag = variant.toString(16).padStart(12, "0");
  claims.user_id = `${String(claims.user_id).slice(0, 24)}${tag.slice(-12)}`;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

/** A distinct malformed token (rejected before any crypto): bad base64url, bad alg, or too short a signature. */
export function malformedToken(source: string, variant: number): string {
  const [header, payload, signature] = source.split(".") as [string, string, string];
  const tag = variant.toString(36);
  switch (variant % 3) {
    case 0:
      return `${header}.${payload}!${tag}.${signature}`; // not base64url
    case 1:
      return `${Buffer.from(`{"alg":"HS256","n":"${tag}"}`).toString("base64url")}.${payload}.${signature}`; // wrong alg
    default:
      return `${header}.${payload}.${signature.slice(0, 40)}${tag}`; // wrong signature length
  }
}

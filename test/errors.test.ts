import { describe, expect, it } from "vitest";
import { formatWwwAuthenticate, isTurnkeyAuthError, TurnkeyAuthError, type TurnkeyAuthErrorCode } from "../src/index.js";

describe("TurnkeyAuthError", () => {
  it.each<[TurnkeyAuthErrorCode, number]>([
    ["invalid_request", 400],
    ["missing_token", 401],
    ["malformed_token", 401],
    ["invalid_signature", 401],
    ["token_expired", 401],
    ["invalid_claims", 401],
    ["untrusted_organization", 401],
    ["session_revoked", 401],
    ["forbidden", 403],
    ["unavailable", 503],
  ])("%s maps to HTTP %d", (code, status) => {
    const error = new TurnkeyAuthError(code, "x");
    expect(error.status).toBe(status);
    expect(error.statusCode).toBe(status);
    expect(error.name).toBe("TurnkeyAuthError");
    expect(error).toBeInstanceOf(Error);
  });

  it("builds RFC 6750 challenges: no error for a missing token, insufficient_scope for a denial", () => {
    expect(new TurnkeyAuthError("missing_token", "No token").wwwAuthenticate).toBe('Bearer realm="turnkey"');
    expect(new TurnkeyAuthError("token_expired", "The token has expired").wwwAuthenticate).toBe(
      'Bearer realm="turnkey", error="invalid_token", error_description="The token has expired"',
    );
    expect(formatWwwAuthenticate(new TurnkeyAuthError("forbidden", 'Denied by "rule"'), "api")).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Denied by rule"',
    );
    expect(new TurnkeyAuthError("unavailable", "down").wwwAuthenticate).toBeUndefined();
  });

  it("challenges an ambiguous request target with RFC 6750 §3.1 invalid_request", () => {
    expect(formatWwwAuthenticate(new TurnkeyAuthError("invalid_request", "The request path has a dot segment"), "api")).toBe(
      'Bearer realm="api", error="invalid_request", error_description="The request path has a dot segment"',
    );
    expect(new TurnkeyAuthError("invalid_request", "x").headers).toEqual({ "www-authenticate": 'Bearer realm="turnkey", error="invalid_request", error_description="x"' });
  });

  it("challenges with RFC 9449 §7.1 DPoP (algs=\"ES256\") for DPoP codes and where DPoP is the scheme", () => {
    expect(formatWwwAuthenticate(new TurnkeyAuthError("dpop_replayed", "The DPoP proof was already used"), "api")).toBe(
      'DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof was already used", algs="ES256"',
    );
    expect(new TurnkeyAuthError("dpop_required", "DPoP needed").wwwAuthenticate).toBe('DPoP realm="turnkey", error="invalid_token", error_description="DPoP needed", algs="ES256"');
    expect(new TurnkeyAuthError("token_expired", "expired", { scheme: "DPoP" }).wwwAuthenticate).toBe('DPoP realm="turnkey", error="invalid_token", error_description="expired", algs="ES256"');
    expect(new TurnkeyAuthError("missing_token", "none", { scheme: "Bearer DPoP" }).wwwAuthenticate).toBe('Bearer realm="turnkey", DPoP realm="turnkey", algs="ES256"');
    // A DPoP code is always challenged as DPoP, whatever scheme is asked.
    expect(new TurnkeyAuthError("invalid_dpop_proof", "bad", { scheme: "Bearer" }).scheme).toBe("DPoP");
  });

  it("keeps the denying policy's name and the cause; unexpected only when told", () => {
    const cause = new Error("boom");
    const error = new TurnkeyAuthError("forbidden", "no", { policy: "ownsDocument", cause });
    expect(error.policy).toBe("ownsDocument");
    expect(error.cause).toBe(cause);
    expect(error.unexpected).toBe(false); // a cause alone says nothing about where it came from
    expect(new TurnkeyAuthError("unavailable", "x", { cause, unexpected: true }).unexpected).toBe(true);
  });

  it("challenges in its own realm (default turnkey), in wwwAuthenticate and headers alike", () => {
    const error = new TurnkeyAuthError("token_expired", "The token has expired", { realm: "wallets-api" });
    expect(error.realm).toBe("wallets-api");
    expect(error.wwwAuthenticate).toBe('Bearer realm="wallets-api", error="invalid_token", error_description="The token has expired"');
    expect(error.headers).toEqual({ "www-authenticate": error.wwwAuthenticate });
    expect(new TurnkeyAuthError("missing_token", "x").realm).toBe("turnkey");
  });
});

describe("isTurnkeyAuthError", () => {
  it("recognises instances and copies from another module instance (dual package)", () => {
    expect(isTurnkeyAuthError(new TurnkeyAuthError("forbidden", "no"))).toBe(true);
    const foreignCopy = Object.assign(new Error("no"), { name: "TurnkeyAuthError", code: "token_expired" });
    expect(isTurnkeyAuthError(foreignCopy)).toBe(true);
  });

  it("rejects look-alikes with unknown codes, and non-objects", () => {
    expect(isTurnkeyAuthError(Object.assign(new Error(), { name: "TurnkeyAuthError", code: "nope" }))).toBe(false);
    expect(isTurnkeyAuthError(new Error("plain"))).toBe(false);
    expect(isTurnkeyAuthError("TurnkeyAuthError")).toBe(false);
    expect(isTurnkeyAuthError(null)).toBe(false);
  });
});

describe("TurnkeyAuthError.headers", () => {
  it("carries the challenge for frameworks that copy err.headers, and nothing for a 503", () => {
    expect(new TurnkeyAuthError("missing_token", "No token").headers).toEqual({ "www-authenticate": 'Bearer realm="turnkey"' });
    expect(new TurnkeyAuthError("unavailable", "down").headers).toEqual({});
  });
});

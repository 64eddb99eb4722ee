// CORS: a page on another origin (a dev server on localhost) calls the emulator as it calls Turnkey.
// Every SDK call is preflighted (its headers are not safelisted), and every answer, errors and
// injected faults included, must carry Access-Control-Allow-Origin, or the page sees
// "Failed to fetch" instead of Turnkey's error (and @turnkey/core cannot report SESSION_EXPIRED).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";

let emulator: TurnkeyEmulator;
beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

const PAGE = "http://localhost:5173";

function preflight(target: TurnkeyEmulator, path: string, origin: string, extra: Record<string, string> = {}) {
  return fetch(`${target.apiBaseUrl}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-stamp,x-client-version", ...extra },
  });
}

function post(target: TurnkeyEmulator, path: string, origin: string, body = "{}") {
  return fetch(`${target.apiBaseUrl}${path}`, { method: "POST", headers: { origin, "content-type": "application/json" }, body });
}

describe("CORS, by default for localhost pages", () => {
  it("answers a preflight on any path with 204 and the headers Turnkey's browser SDKs send", async () => {
    for (const path of ["/public/v1/submit/stamp_login", "/v1/otp_init_v2", "/no/such/path"]) {
      const response = await preflight(emulator, path, PAGE);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
      expect(response.headers.get("vary")).toBe("Origin");
      expect(response.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
      const allowed = (response.headers.get("access-control-allow-headers") ?? "").split(", ");
      expect(allowed).toEqual(
        expect.arrayContaining(["content-type", "x-client-version", "x-stamp", "x-stamp-webauthn", "x-stamp-attested", "x-auth-proxy-config-id", "x-session"]),
      );
      expect(response.headers.get("access-control-allow-private-network")).toBeNull();
    }
  });

  it("allows localhost, 127.0.0.1 and [::1] pages on any port, and no other origin", async () => {
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:8080", "https://localhost", "http://[::1]:4000"]) {
      expect((await preflight(emulator, "/public/v1/query/whoami", origin)).headers.get("access-control-allow-origin")).toBe(origin);
    }
    for (const origin of ["https://evil.example", "http://localhost.evil.example", "null", "http://localhost:3000/path", "file://", "x".repeat(5000)]) {
      const response = await preflight(emulator, "/public/v1/query/whoami", origin);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("access-control-allow-headers")).toBeNull();
    }
  });

  it("answers Chromium's Private Network Access question for an allowed origin", async () => {
    const response = await preflight(emulator, "/public/v1/query/whoami", PAGE, { "access-control-request-private-network": "true" });
    expect(response.headers.get("access-control-allow-private-network")).toBe("true");
  });

  it("puts the headers on errors: an unstamped request's 401, an unknown path's 404", async () => {
    const unstamped = await post(emulator, "/public/v1/query/whoami", PAGE, JSON.stringify({ organizationId: emulator.parentOrganizationId }));
    expect(unstamped.status).toBe(401);
    expect(unstamped.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(((await unstamped.json()) as { code: number }).code).toBe(16);
    const unknown = await post(emulator, "/nowhere", PAGE);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(unknown.headers.get("vary")).toBe("Origin");
  });

  it("puts the headers on injected faults, and preflights still pass during them", async () => {
    await emulator.faults.set({ kind: "status500" });
    expect((await preflight(emulator, "/public/v1/query/whoami", PAGE)).status).toBe(204);
    const failed = await post(emulator, "/public/v1/query/whoami", PAGE);
    expect(failed.status).toBe(500);
    expect(failed.headers.get("access-control-allow-origin")).toBe(PAGE);
    await emulator.faults.set({ kind: "malformedJson" });
    const malformed = await post(emulator, "/public/v1/query/whoami", PAGE);
    expect(malformed.headers.get("access-control-allow-origin")).toBe(PAGE);
    await emulator.faults.set({ kind: "slow", delayMs: 10 });
    expect((await post(emulator, "/public/v1/query/whoami", PAGE)).headers.get("access-control-allow-origin")).toBe(PAGE);
  });

  it("adds nothing but Vary for a request without Origin (a backend SDK)", async () => {
    const response = await post(emulator, "/nowhere", "");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS options", () => {
  it("allows exactly the listed origins", async () => {
    const own = await startTurnkeyEmulator({ cors: { allowedOrigins: ["http://localhost:5173", "https://app.example"] } });
    try {
      expect((await preflight(own, "/x", "https://app.example")).headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect((await preflight(own, "/x", "http://localhost:3000")).headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await own.close();
    }
  });

  it('"*" allows any origin, without Vary', async () => {
    const own = await startTurnkeyEmulator({ cors: { allowedOrigins: "*" } });
    try {
      const response = await post(own, "/x", "https://anywhere.example");
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("vary")).toBeNull();
    } finally {
      await own.close();
    }
  });

  it("an empty list allows no origin", async () => {
    const own = await startTurnkeyEmulator({ cors: { allowedOrigins: [] } });
    try {
      expect((await preflight(own, "/x", PAGE)).headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await own.close();
    }
  });

  it("refuses a malformed option with a TypeError naming it", async () => {
    for (const allowedOrigins of ["http://localhost:5173/", ["localhost"], "any", [42]] as unknown as string[][]) {
      await expect(startTurnkeyEmulator({ cors: { allowedOrigins } })).rejects.toThrow(/cors\.allowedOrigins/);
    }
  });
});

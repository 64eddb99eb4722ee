import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { createSessionVerifier, isTurnkeyAuthError, type SessionVerifier } from "../../src/index.js";
import { isTurnkeyFlowError, sessionKeyIsActive, subOrganizationsOf, type SessionKeyIsActiveOptions } from "../../src/flows/index.js";
import { startTurnkeyEmulator, type EmulatorFault, type TurnkeyEmulator } from "../../src/testing/index.js";
import { generateP256KeyPairHex } from "../../src/testing/emulator/keys.js";
import { rejectionOf, sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";
import { callsTo, login, newUser, verdictOf } from "../helpers/flows/session-key-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;
let verifier: SessionVerifier;

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
  verifier = createSessionVerifier({ trustedOrganizations: "any", notarizerPublicKey: emulator.notarizerPublicKey });
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

function activeKey(options: Partial<SessionKeyIsActiveOptions> = {}) {
  return sessionKeyIsActive({ client, parentOrganizationId: emulator.parentOrganizationId, ...options });
}

async function freshSession() {
  const { token } = await login(emulator, client, await newUser(client));
  return verifier.verify(token);
}

describe("sessionKeyIsActive: Turnkey unavailable", () => {
  const outages: EmulatorFault[] = [{ kind: "down" }, { kind: "status500" }, { kind: "malformedJson" }, { kind: "reset" }];

  for (const fault of outages) {
    it(`${fault.kind}: 503 unavailable, never granted, nothing cached, onUnavailable told; recovers`, async () => {
      const session = await freshSession();
      const causes: unknown[] = [];
      const policy = activeKey({ onUnavailable: (cause, organizationId) => causes.push([cause, organizationId]) });
      await emulator.faults.set(fault);
      const error = await rejectionOf(Promise.resolve().then(() => policy({ session, request: {} as never })));
      expect(isTurnkeyAuthError(error)).toBe(true);
      expect(error).toMatchObject({ code: "unavailable", status: 503 });
      expect(error.cause).toBeUndefined(); // an outage to answer, not a bug to forward
      expect(causes).toEqual([[expect.any(Error), session.organizationId]]);
      expect(await verdictOf(policy, session)).toBe("unavailable");
      await emulator.faults.clear();
      expect(await verdictOf(policy, session)).toBe("granted");
    });
  }

  it("slow: unavailable after timeoutMs", async () => {
    const session = await freshSession();
    await emulator.faults.set({ kind: "slow", delayMs: 2000, endpoint: "/public/v1/query/get_api_keys" });
    const started = performance.now();
    const error = await rejectionOf(Promise.resolve().then(() => activeKey({ timeoutMs: 150 })({ session, request: {} as never })));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error).toMatchObject({ code: "unavailable", message: expect.stringContaining("in time") });
  });

  it("a parent key Turnkey refuses: unavailable (upstream_auth_failed to onUnavailable), never untrusted", async () => {
    const session = await freshSession();
    const causes: unknown[] = [];
    const wrong = sessionKeyIsActive({
      client: sdkClient(emulator, generateP256KeyPairHex()),
      parentOrganizationId: emulator.parentOrganizationId,
      onUnavailable: (cause) => causes.push(cause),
    });
    const before = callsTo(emulator);
    expect(await verdictOf(wrong, session)).toBe("unavailable");
    expect(await verdictOf(wrong, session)).toBe("unavailable");
    expect(callsTo(emulator)).toBe(before + 2); // not cached
    expect(causes).toHaveLength(2);
    expect(isTurnkeyFlowError(causes[0]) && causes[0].code).toBe("upstream_auth_failed");
  });

  it("a failing onUnavailable does not change the answer", async () => {
    const session = await freshSession();
    await emulator.faults.set({ kind: "status500", endpoint: "/public/v1/query/get_api_keys" });
    const policy = activeKey({
      onUnavailable: () => {
        throw new Error("logger down");
      },
    });
    expect(await verdictOf(policy, session)).toBe("unavailable");
  });
});

describe("sessionKeyIsActive through Express", () => {
  it("200 while the key is active; 401 session_revoked with an invalid_token challenge once deleted; 503 JSON during an outage", async () => {
    const parentOrganizationId = emulator.parentOrganizationId;
    const activeSessionKey = sessionKeyIsActive({ client, parentOrganizationId, ttlMs: 0 });
    const app = express();
    const auth = turnkeyAuth({
      trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId }),
      notarizerPublicKey: emulator.notarizerPublicKey,
      policies: [activeSessionKey],
    });
    app.get("/me", auth, (req, res) => {
      res.json({ userId: req.turnkey!.userId });
    });
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    const me = (token: string) => fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`, { headers: { authorization: `Bearer ${token}` } });
    try {
      const user = await newUser(client);
      const { token, key } = await login(emulator, client, user);
      const granted = await me(token);
      expect(granted.status).toBe(200);
      expect(await granted.json()).toEqual({ userId: user.userId });

      expect(emulator.deleteApiKey(user.subOrganizationId, key.publicKey)).toBe(true); // as Turnkey's dashboard would
      const refused = await me(token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
      const body = (await refused.json()) as { error: string; message: string };
      expect(body.error).toBe("session_revoked");
      expect(JSON.stringify(body)).not.toContain(token);

      const other = await login(emulator, client, user);
      await emulator.faults.set({ kind: "status500", endpoint: "/public/v1/query/get_api_keys" });
      const outage = await me(other.token);
      expect(outage.status).toBe(503);
      expect(await outage.json()).toEqual({ error: "unavailable", message: expect.stringContaining("session key check") });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";
import { rejectionOf, sdkClient, type ApiClient } from "../helpers/testing/emulator-helpers.js";

let emulator: TurnkeyEmulator;
let client: ApiClient;

beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  client = sdkClient(emulator);
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

async function works(): Promise<boolean> {
  return (await client.getWhoami()).organizationId === emulator.parentOrganizationId;
}

describe("fault injection", () => {
  it("down: connections are refused, then the same port serves again", async () => {
    await emulator.faults.set({ kind: "down" });
    expect(emulator.faults.current?.kind).toBe("down");
    const error = await rejectionOf(client.getWhoami());
    expect((error.cause as { code?: string } | undefined)?.code).toBe("ECONNREFUSED");
    await emulator.faults.clear();
    expect(await works()).toBe(true);
  });

  it("slow: answers correctly, but only after delayMs", async () => {
    await emulator.faults.set({ kind: "slow", delayMs: 300 });
    const started = performance.now();
    expect(await works()).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("status500: Turnkey's error JSON with code 13", async () => {
    await emulator.faults.set({ kind: "status500" });
    const error = await rejectionOf(client.getWhoami());
    expect(error.name).toBe("TurnkeyRequestError");
    expect(error.code).toBe(13);
    expect(emulator.requests.at(-1)).toMatchObject({ path: "/public/v1/query/whoami", status: 500, fault: "status500" });
  });

  it("malformedJson: a 200 whose body does not parse", async () => {
    await emulator.faults.set({ kind: "malformedJson" });
    expect((await rejectionOf(client.getWhoami())).name).toBe("SyntaxError");
  });

  it("reset: the connection drops without an answer", async () => {
    await emulator.faults.set({ kind: "reset" });
    const error = await rejectionOf(client.getWhoami());
    expect(error.message).toMatch(/fetch failed/);
    expect(emulator.requests.at(-1)).toMatchObject({ status: "reset" });
  });

  it("endpoint: only that path fails", async () => {
    await emulator.faults.set({ kind: "status500", endpoint: "/public/v1/query/get_user" });
    expect(await works()).toBe(true);
    expect((await rejectionOf(client.getUser({ userId: "x" }))).code).toBe(13);
  });

  it("validates faults", async () => {
    await expect(emulator.faults.set({ kind: "flaky" as "down" })).rejects.toThrow(TypeError);
    await expect(emulator.faults.set({ kind: "down", endpoint: "/public/v1/query/get_user" })).rejects.toThrow(/whole port/);
    expect(emulator.faults.current).toBeUndefined();
  });

  it("logs every request with its organization and status", async () => {
    const before = emulator.requests.length;
    await works();
    expect(emulator.requests.length).toBe(before + 1);
    expect(emulator.requests.at(-1)).toMatchObject({ path: "/public/v1/query/whoami", organizationId: emulator.parentOrganizationId, status: 200 });
  });
});

describe("lifecycle", () => {
  it("listens on 127.0.0.1 at an ephemeral port by default and closes with open keep-alive connections", async () => {
    const other = await startTurnkeyEmulator();
    expect(other.apiBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(other.port).toBeGreaterThan(0);
    expect(other.port).not.toBe(emulator.port);
    expect((await sdkClient(other).getWhoami()).organizationId).toBe(other.parentOrganizationId);
    await other.close();
    expect((await rejectionOf(sdkClient(other).getWhoami())).message).toMatch(/fetch failed/);
  });

  it("accepts a fixed parent organization and API key", async () => {
    const { apiKey } = emulator.createOrganization();
    const fixed = await startTurnkeyEmulator({ parentOrganization: { organizationId: "my-org", name: "Acme", apiKey } });
    try {
      expect(fixed.parentOrganizationId).toBe("my-org");
      expect(await sdkClient(fixed, apiKey, "my-org").getWhoami()).toMatchObject({ organizationId: "my-org", organizationName: "Acme" });
    } finally {
      await fixed.close();
    }
    await expect(startTurnkeyEmulator({ parentOrganization: { apiKey: { publicKey: apiKey.publicKey, privateKey: "11".repeat(32) } } })).rejects.toThrow(TypeError);
  });
});

// Metrics on a real OpenTelemetry SDK meter, read back through its in-memory exporter.
import { metrics as otelMetrics, type Meter } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/hono.js";
import { createSessionVerifier, type MeterLike } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

interface Point {
  readonly attributes: Record<string, unknown>;
  readonly value: number | { count: number; sum?: number };
}

/** A meter, and what it has recorded so far by instrument name. */
function inMemoryMeter() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  async function collected(): Promise<Map<string, { unit: string; points: Point[] }>> {
    exporter.reset();
    await reader.forceFlush();
    const byName = new Map<string, { unit: string; points: Point[] }>();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, { unit: metric.descriptor.unit, points: metric.dataPoints as Point[] });
      }
    }
    return byName;
  }
  return { meter: provider.getMeter("turnkey-session-auth"), collected, shutdown: () => provider.shutdown() };
}

const valueAt = (points: Point[] | undefined, attributes: Record<string, unknown>) =>
  points?.find((point) => JSON.stringify(point.attributes) === JSON.stringify(attributes))?.value;

describe("metrics through an OpenTelemetry meter", () => {
  it("counts requests by outcome and code, cache look-ups and size, trust checks, and times verifications", async () => {
    const notarizer = createTestNotarizer();
    const { meter, collected, shutdown } = inMemoryMeter();
    let trustFails = false;
    const auth = turnkeyAuth({
      notarizerPublicKey: notarizer.publicKey,
      trustedOrganizations: (organizationId) => {
        if (trustFails) throw new Error("directory down");
        return organizationId === "org-1";
      },
      meter,
    });
    const app = new Hono();
    app.get("/me", auth, (c) => c.json({ userId: c.get("turnkey")?.userId }));
    app.get("/feed", auth.with({ optional: true }), (c) => c.json({}));
    const call = async (path: string, token?: string) =>
      (await app.request(path, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })).status;

    const token = await notarizer.sign({ organization_id: "org-1" });
    expect(await call("/me", token)).toBe(200);
    expect(await call("/me", token)).toBe(200); // from the cache
    expect(await call("/me", await notarizer.sign({ organization_id: "org-2" }))).toBe(401);
    expect(await call("/me")).toBe(401);
    expect(await call("/feed")).toBe(200);
    expect(await call("/me", await createTestNotarizer().sign())).toBe(401);
    trustFails = true;
    expect(await call("/me", await notarizer.sign({ organization_id: "org-1" }))).toBe(503);

    const recorded = await collected();
    const requests = recorded.get("turnkey_session_auth.requests")?.points;
    expect(valueAt(requests, { outcome: "granted" })).toBe(2);
    expect(valueAt(requests, { outcome: "anonymous" })).toBe(1);
    expect(valueAt(requests, { outcome: "refused", code: "untrusted_organization" })).toBe(1);
    expect(valueAt(requests, { outcome: "refused", code: "missing_token" })).toBe(1);
    expect(valueAt(requests, { outcome: "refused", code: "invalid_signature" })).toBe(1);
    expect(valueAt(requests, { outcome: "refused", code: "unavailable" })).toBe(1);

    const trust = recorded.get("turnkey_session_auth.trust.checks")?.points;
    expect(valueAt(trust, { result: "trusted" })).toBe(2);
    expect(valueAt(trust, { result: "untrusted" })).toBe(1);
    expect(valueAt(trust, { result: "error" })).toBe(1);

    const lookups = recorded.get("turnkey_session_auth.cache.lookups")?.points;
    expect(valueAt(lookups, { result: "hit" })).toBe(1);
    expect(valueAt(lookups, { result: "miss" })).toBe(4);
    expect(recorded.get("turnkey_session_auth.cache.size")).toMatchObject({ unit: "{session}", points: [{ value: 1 }] });

    const duration = recorded.get("turnkey_session_auth.verification.duration");
    expect(duration?.unit).toBe("s");
    expect(valueAt(duration?.points, { outcome: "ok" })).toMatchObject({ count: 1 });
    expect(valueAt(duration?.points, { outcome: "invalid_signature" })).toMatchObject({ count: 1 });
    expect(valueAt(duration?.points, { outcome: "untrusted_organization" })).toMatchObject({ count: 1 });
    await shutdown();
  });

  it("records nothing and costs nothing without a meter, and accepts @opentelemetry/api's Meter type", async () => {
    const noop: Meter = otelMetrics.getMeter("turnkey-session-auth"); // no SDK registered: the API's no-op meter
    const accepted: MeterLike = noop;
    const notarizer = createTestNotarizer();
    for (const meter of [undefined, accepted]) {
      const verifier = createSessionVerifier({ notarizerPublicKey: notarizer.publicKey, trustedOrganizations: ["org-1"], ...(meter ? { meter } : {}) });
      expect((await verifier.verify(await notarizer.sign({ organization_id: "org-1" }))).organizationId).toBe("org-1");
    }
  });

  it("answers every request even when the meter throws, and refuses a meter that is not one", async () => {
    const broken = (): never => {
      throw new Error("exporter down");
    };
    const throwing: MeterLike = {
      createCounter: () => ({ add: broken }),
      createHistogram: () => ({ record: broken }),
      createObservableGauge: () => ({ addCallback: () => undefined }),
    };
    const notarizer = createTestNotarizer();
    const auth = turnkeyAuth({ notarizerPublicKey: notarizer.publicKey, trustedOrganizations: ["org-1"], meter: throwing });
    const app = new Hono().get("/me", auth, (c) => c.json({ ok: true }));
    const token = await notarizer.sign({ organization_id: "org-1" });
    expect((await app.request("/me", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await app.request("/me")).status).toBe(401);
    expect(() => createSessionVerifier({ trustedOrganizations: "any", meter: {} as MeterLike })).toThrow(/option "meter" must be an OpenTelemetry Meter/);
    expect(() => turnkeyAuth({ trustedOrganizations: "any", meter: { createCounter() {} } as unknown as MeterLike })).toThrow(TypeError);
  });
});

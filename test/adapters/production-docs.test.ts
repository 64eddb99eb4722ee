// The production example of docs/production.md (examples/production/app.ts), run: logs through
// the hooks, metrics through the global OpenTelemetry meter, both notarizer keys, the per-route options.
import { metrics } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { afterAll, describe, expect, it } from "vitest";
import { createApp, type Logger } from "../../examples/production/app.js";
import { createTestNotarizer } from "../../src/testing/index.js";
import { withServer } from "../helpers/adapters/http.js";

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(provider);
afterAll(() => provider.shutdown());

describe("docs/production.md's example app", () => {
  it("logs, measures, accepts both keys, and applies each route's options", async () => {
    const current = createTestNotarizer();
    const next = createTestNotarizer();
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const log: Logger = {
      info: (fields, message) => lines.push({ level: "info", fields: fields as Record<string, unknown>, message }),
      warn: (fields, message) => lines.push({ level: "warn", fields: fields as Record<string, unknown>, message }),
    };
    const app = createApp({ current: current.publicKey, next: next.publicKey }, log, (_req, res) => void res.json({ wallets: [] }));
    const byNext = await next.sign({ organization_id: "org-1", user_id: "user-1" });
    await withServer(app, async (server) => {
      expect((await server.request("/me", [["authorization", `Bearer ${await current.sign({ organization_id: "org-1", user_id: "user-1" })}`]])).body).toEqual({ userId: "user-1" });
      expect((await server.request("/me", [["authorization", `Bearer ${byNext}`]])).body).toEqual({ userId: "user-1" });
      expect((await server.request("/feed")).body).toEqual({ personalized: false });
      expect((await server.request("/orgs/org-2/wallets", [["authorization", `Bearer ${byNext}`]])).status).toBe(403);
      expect((await server.request("/orgs/org-1/wallets", [["authorization", `Bearer ${byNext}`]])).body).toEqual({ wallets: [] });
    });
    expect(lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
      "info turnkey: signed in",
      "info turnkey: signed in",
      "warn turnkey: refused",
      "info turnkey: signed in",
    ]);
    expect(lines[2]?.fields).toMatchObject({ code: "forbidden", organizationId: "org-1", userId: "user-1", path: "/orgs/org-2/wallets" });
    expect(JSON.stringify(lines)).not.toContain(byNext.split(".")[2]);

    await reader.forceFlush();
    const names = exporter.getMetrics().flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name)));
    expect(names).toEqual(expect.arrayContaining(["turnkey_session_auth.requests", "turnkey_session_auth.verification.duration", "turnkey_session_auth.cache.size"]));
  });
});

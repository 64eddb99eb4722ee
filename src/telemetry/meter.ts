// Metrics through an OpenTelemetry Meter the app hands over. The shape below is the part of
// @opentelemetry/api's `Meter` this library calls, written out so that the core imports nothing:
// an app without OpenTelemetry installs nothing, and one with it passes `metrics.getMeter(…)`.

/**
 * Attribute values of a measurement, as in OpenTelemetry's `Attributes`.
 * @example `const attributes: MetricAttributes = { code: "token_expired" };`
 */
export type MetricAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * The part of an OpenTelemetry `Meter` (`@opentelemetry/api`) this library uses: pass
 * `metrics.getMeter("turnkey-session-auth")` as the `meter` option.
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * const verifier = createSessionVerifier({ trustedOrganizations: ["org-id"], meter: metrics.getMeter("turnkey-session-auth") });
 * ```
 */
export interface MeterLike {
  createCounter(name: string, options?: { description?: string; unit?: string }): {
    add(value: number, attributes?: MetricAttributes): void;
  };
  createHistogram(name: string, options?: { description?: string; unit?: string }): {
    record(value: number, attributes?: MetricAttributes): void;
  };
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): {
    addCallback(callback: (result: { observe(value: number, attributes?: MetricAttributes): void }) => void): void;
  };
}

/** A counter or histogram that never throws into the request path (a failing exporter must not refuse anyone). */
export type Measure = (value: number, attributes?: MetricAttributes) => void;

function guarded(record: Measure): Measure {
  return (value, attributes) => {
    try {
      record(value, attributes);
    } catch {
      // Measuring is best effort: the answer to the request never depends on it.
    }
  };
}

const NOTHING: Measure = () => undefined;

/** The verifier's instruments; each is a no-op without a meter. */
export interface VerifierMetrics {
  /** Whether there is a meter: without one, nothing is timed. */
  readonly enabled: boolean;
  /** Seconds a `verify()` took, by outcome (`ok` or the refusal code). */
  readonly verification: Measure;
  /** Session cache look-ups, by `result`: `hit` or `miss`. */
  readonly cacheLookups: Measure;
  /** Organization trust checks, by `result`: `trusted`, `untrusted` or `error`. */
  readonly trustChecks: Measure;
}

/** The instruments of a verifier on `meter`, the cache size read from `cacheSize` on each collection. */
export function verifierMetrics(meter: MeterLike | undefined, cacheSize: () => number): VerifierMetrics {
  if (meter === undefined) return { enabled: false, verification: NOTHING, cacheLookups: NOTHING, trustChecks: NOTHING };
  const verification = meter.createHistogram("turnkey_session_auth.verification.duration", {
    description: "Time to verify a session token that was not served from the cache",
    unit: "s",
  });
  const lookups = meter.createCounter("turnkey_session_auth.cache.lookups", { description: "Session cache look-ups, by result (hit, miss)", unit: "{lookup}" });
  const trust = meter.createCounter("turnkey_session_auth.trust.checks", {
    description: "Organization trust checks, by result (trusted, untrusted, error)",
    unit: "{check}",
  });
  meter
    .createObservableGauge("turnkey_session_auth.cache.size", { description: "Sessions held in the verifier's cache", unit: "{session}" })
    .addCallback((result) => result.observe(cacheSize()));
  return {
    enabled: true,
    verification: guarded((value, attributes) => verification.record(value, attributes)),
    cacheLookups: guarded((value, attributes) => lookups.add(value, attributes)),
    trustChecks: guarded((value, attributes) => trust.add(value, attributes)),
  };
}

/** Requests judged by an adapter, by `outcome` (`granted`, `anonymous`, `refused`) and `code`; a no-op without a meter. */
export function requestCounter(meter: MeterLike | undefined): Measure {
  if (meter === undefined) return NOTHING;
  const requests = meter.createCounter("turnkey_session_auth.requests", {
    description: "Requests judged by the middleware, by outcome (granted, anonymous, refused) and refusal code",
    unit: "{request}",
  });
  return guarded((value, attributes) => requests.add(value, attributes));
}

/** Whether `value` has the methods of a {@link MeterLike}. */
export function isMeter(value: unknown): value is MeterLike {
  if (typeof value !== "object" || value === null) return false;
  const meter = value as Record<string, unknown>;
  return ["createCounter", "createHistogram", "createObservableGauge"].every((method) => typeof meter[method] === "function");
}

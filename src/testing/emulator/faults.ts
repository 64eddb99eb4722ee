/**
 * A failure to inject into the emulator, to test how a backend behaves when Turnkey misbehaves:
 *
 * - `down`: the port refuses connections (the listener is closed, open connections dropped);
 * - `slow`: every request is answered normally, but only after `delayMs` (default 5000);
 * - `status500`: HTTP 500 with Turnkey's error JSON `{ code: 13, message }`;
 * - `malformedJson`: HTTP 200 whose body is truncated JSON;
 * - `reset`: the connection is dropped after the request is read, with no answer.
 *
 * `endpoint` (e.g. `"/public/v1/query/get_user"`) limits the fault to one path (not for `down`).
 *
 * @example
 * ```ts
 * await emulator.faults.set({ kind: "slow", delayMs: 2000, endpoint: "/public/v1/query/get_user" } satisfies EmulatorFault);
 * ```
 */
export interface EmulatorFault {
  readonly kind: "down" | "slow" | "status500" | "malformedJson" | "reset";
  readonly delayMs?: number;
  readonly endpoint?: string;
}

/**
 * Fault injection of a running emulator. Faults last until cleared (or replaced).
 *
 * @example
 * ```ts
 * await emulator.faults.set({ kind: "down" });
 * await expect(check()).rejects.toMatchObject({ code: "unavailable" });
 * await emulator.faults.clear();
 * ```
 */
export interface EmulatorFaults {
  /** Injects `fault`, replacing any other; resolves once it is in effect. */
  set(fault: EmulatorFault): Promise<void>;
  /** Back to normal service (re-opens the port after `down`); resolves once it is in effect. */
  clear(): Promise<void>;
  /** The fault in effect, if any. */
  readonly current: EmulatorFault | undefined;
}

const KINDS = new Set<EmulatorFault["kind"]>(["down", "slow", "status500", "malformedJson", "reset"]);

/** Validates a fault; throws a `TypeError` naming the problem. */
export function checkFault(fault: EmulatorFault): EmulatorFault {
  if (typeof fault !== "object" || fault === null || !KINDS.has(fault.kind)) {
    throw new TypeError(`emulator fault: kind must be one of ${[...KINDS].join(", ")}`);
  }
  if (fault.delayMs !== undefined && !(Number.isInteger(fault.delayMs) && fault.delayMs >= 0 && fault.delayMs <= 600_000)) {
    throw new TypeError("emulator fault: delayMs must be a whole number of milliseconds from 0 to 600000");
  }
  if (fault.endpoint !== undefined && (typeof fault.endpoint !== "string" || !fault.endpoint.startsWith("/"))) {
    throw new TypeError('emulator fault: endpoint must be a path such as "/public/v1/query/get_user"');
  }
  if (fault.kind === "down" && fault.endpoint !== undefined) throw new TypeError("emulator fault: a down fault applies to the whole port, not to one endpoint");
  return Object.freeze({ ...fault });
}

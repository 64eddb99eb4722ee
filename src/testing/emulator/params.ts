import { invalidArgument } from "./api-error.js";

/** A JSON object from a request body, or a Turnkey INVALID_ARGUMENT error naming `what`. */
export function objectAt(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidArgument(`${what} must be an object`);
  return value as Record<string, unknown>;
}

export function requiredString(object: Record<string, unknown>, name: string, what = name): string {
  const value = object[name];
  if (typeof value !== "string" || value.length === 0) throw invalidArgument(`${what} is required and must be a non-empty string`);
  return value;
}

export function optionalString(object: Record<string, unknown>, name: string, what = name): string | undefined {
  const value = object[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw invalidArgument(`${what} must be a string`);
  return value;
}

export function arrayAt(object: Record<string, unknown>, name: string, what = name): unknown[] {
  const value = object[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidArgument(`${what} must be an array`);
  return value;
}

/** A whole number of seconds given as a string (Turnkey's uint64-as-string) or number, within bounds. */
export function secondsAt(object: Record<string, unknown>, name: string, fallback: number, max: number): number {
  const value = object[name];
  if (value === undefined || value === null || value === "") return fallback;
  const seconds = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) throw invalidArgument(`${name} must be a whole number of seconds from 1 to ${max}`);
  return seconds;
}

/** Turnkey's protobuf timestamp: `{ seconds, nanos }` as strings. */
export function timestampOf(ms: number): { seconds: string; nanos: string } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: String((ms % 1000) * 1_000_000) };
}

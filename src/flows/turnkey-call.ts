import { TurnkeyFlowError } from "./errors.js";
import { settleWithin } from "../promises.js";

/** Default time a single Turnkey API call may take, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Turnkey's gRPC status code when `error` is the SDK's `TurnkeyRequestError` (Turnkey answered
 * with an error body), else `undefined` (network failure, timeout, non-JSON answer, …).
 */
export function turnkeyCodeOf(error: unknown): number | undefined {
  const candidate = error as { name?: unknown; code?: unknown } | null;
  if (typeof candidate !== "object" || candidate === null || candidate.name !== "TurnkeyRequestError") return undefined;
  return typeof candidate.code === "number" ? candidate.code : undefined;
}

/** The timeout option of a flow helper, validated (a `TypeError`: it is a programming error). */
export function resolveTimeout(value: number | undefined): number {
  const timeoutMs = value ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new TypeError("turnkey-session-auth flows: timeoutMs must be a whole number of milliseconds from 1 to 600000");
  }
  return timeoutMs;
}

/** The API client a helper was given, checked for the methods it calls (a `TypeError` otherwise). */
export function requireClient<T extends object>(client: T, ...methods: string[]): T {
  const candidate = client as Record<string, unknown> | null | undefined;
  const missing = methods.filter((method) => typeof candidate?.[method] !== "function");
  if (typeof client !== "object" || client === null || missing.length > 0) {
    throw new TypeError(`turnkey-session-auth flows: "client" must be an @turnkey/sdk-server API client (missing ${missing.join(", ")})`);
  }
  return client;
}

/** Sentinel rejection of {@link withTimeout}. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/**
 * Settles like `pending`, or rejects with a {@link TimeoutError} after `timeoutMs`. The SDK cannot
 * abort a request, so a late answer is ignored, not cancelled.
 */
export function withTimeout<T>(pending: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return settleWithin(pending, timeoutMs, () => new TimeoutError(`${what} did not answer within ${timeoutMs} ms`));
}

/** Messages for Turnkey's refusals of one call; defaults are generic. */
export interface RefusalMessages {
  /** For INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE (HTTP 400). */
  rejected?: string;
  /** For PERMISSION_DENIED (HTTP 403). */
  forbidden?: string;
}

/**
 * Maps a failed Turnkey call to a {@link TurnkeyFlowError}. The message is ours; Turnkey's text
 * (which can echo request data) stays in `cause`.
 */
export function flowErrorOf(error: unknown, action: string, messages: RefusalMessages = {}): TurnkeyFlowError {
  if (error instanceof TurnkeyFlowError) return error;
  if (error instanceof TimeoutError) return new TurnkeyFlowError("unavailable", `Turnkey did not answer in time (${action})`, { cause: error });
  const turnkeyCode = turnkeyCodeOf(error);
  const options = { cause: error, ...(turnkeyCode === undefined ? {} : { turnkeyCode }) };
  switch (turnkeyCode) {
    case 3:
    case 5:
    case 9:
    case 11:
      return new TurnkeyFlowError("rejected", messages.rejected ?? `Turnkey rejected the request (${action})`, options);
    case 7:
      return new TurnkeyFlowError("forbidden", messages.forbidden ?? `Turnkey denied the operation (${action})`, options);
    case 8:
      return new TurnkeyFlowError("rate_limited", `Turnkey's rate limit was reached (${action}); try again later`, options);
    case 16:
      return new TurnkeyFlowError("upstream_auth_failed", `Turnkey refused this service's API credentials (${action})`, options);
    default:
      return new TurnkeyFlowError("unavailable", `Turnkey is unavailable (${action})`, options);
  }
}

/** Runs one Turnkey call with a timeout, mapping every failure with {@link flowErrorOf}. */
export async function callTurnkey<T>(action: string, timeoutMs: number, call: () => Promise<T>, messages?: RefusalMessages): Promise<T> {
  try {
    return await withTimeout(Promise.resolve().then(call), timeoutMs, action);
  } catch (error) {
    throw flowErrorOf(error, action, messages);
  }
}

/** A 502 for an answer without the field a flow needs. */
export function badResponse(action: string, detail: string): TurnkeyFlowError {
  return new TurnkeyFlowError("bad_upstream_response", `Turnkey's answer was unusable (${action}): ${detail}`);
}

import type { TurnkeyWebhookOptions } from "./receiver.js";

/** The numeric and function options of a webhook receiver, checked, with their defaults. */
export interface WebhookSettings {
  readonly toleranceMs: number;
  readonly dedupeMs: number;
  readonly maxBodyBytes: number;
  readonly refetchIntervalMs: number;
  readonly jwksTimeoutMs: number;
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

function wholeNumber(value: number | undefined, name: string, fallback: number, min: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < min) throw new TypeError(`turnkey-session-auth: option "${name}" must be a whole number ≥ ${min}`);
  return chosen;
}

/** Checks the options at construction: a bad one is a `TypeError` naming it. */
export function checkOptions(options: TurnkeyWebhookOptions): WebhookSettings {
  if (typeof options !== "object" || options === null) throw new TypeError("turnkey-session-auth: webhook options must be an object");
  if (typeof options.onEvent !== "function") throw new TypeError('turnkey-session-auth: option "onEvent" must be a function');
  if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError('turnkey-session-auth: option "onError" must be a function');
  if (options.jwksUrl !== undefined && (typeof options.jwksUrl !== "string" || !/^https?:\/\//.test(options.jwksUrl))) {
    throw new TypeError('turnkey-session-auth: option "jwksUrl" must be an http(s) URL');
  }
  const store = options.store;
  if (store !== undefined && (typeof store !== "object" || store === null || typeof store.setIfAbsent !== "function" || typeof store.delete !== "function")) {
    throw new TypeError('turnkey-session-auth: option "store" must be a SessionStore');
  }
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== "function") throw new TypeError('turnkey-session-auth: option "fetch" must be a function (or run where fetch is global)');
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new TypeError('turnkey-session-auth: option "now" must be a function returning milliseconds');
  const toleranceMs = wholeNumber(options.toleranceMs, "toleranceMs", 300_000, 1);
  const dedupeMs = wholeNumber(options.dedupeMs, "dedupeMs", 86_400_000, 1);
  if (dedupeMs < 2 * toleranceMs) throw new TypeError('turnkey-session-auth: option "dedupeMs" must be at least twice "toleranceMs" (a replay is accepted on time for that long)');
  return {
    toleranceMs,
    dedupeMs,
    maxBodyBytes: wholeNumber(options.maxBodyBytes, "maxBodyBytes", 1_048_576, 1),
    refetchIntervalMs: wholeNumber(options.refetchIntervalMs, "refetchIntervalMs", 60_000, 0),
    jwksTimeoutMs: wholeNumber(options.jwksTimeoutMs, "jwksTimeoutMs", 5_000, 1),
    fetch: fetchFunction,
    now,
  };
}

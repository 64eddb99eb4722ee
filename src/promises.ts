// Promise helpers shared by the core: what counts as a promise, and settling to a known value.
/**
 * Whether `value` is a promise-like (has a callable `then`), as `await` decides (ECMA-262
 * PromiseResolve): user callbacks may answer with any thenable, not only a native Promise.
 *
 * @example
 * ```ts
 * const verdict = policy(context);
 * if (isThenable(verdict)) await verdict;
 * ```
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * `pending`, then `value`. Kept apart from the hot functions that call it so their synchronous
 * path allocates no closure (V8 creates a function's captured variables on every call, whichever
 * branch runs).
 *
 * @example
 * ```ts
 * return trust === undefined ? session : resolveTo(trust, session);
 * ```
 */
export function resolveTo<T>(pending: Promise<unknown>, value: T): Promise<T> {
  return pending.then(() => value);
}

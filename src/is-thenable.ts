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

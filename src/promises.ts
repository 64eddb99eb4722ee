// Promise helpers for answers from user code (policies, trust functions) and from Turnkey.

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
 * Settles like `pending`, or rejects with `onTimeout()` after `timeoutMs`, whichever comes first.
 * The timer is cleared as soon as `pending` settles. A late answer is ignored, not cancelled:
 * promises cannot be aborted.
 *
 * @example
 * ```ts
 * await settleWithin(lookup(), 3000, () => new Error("lookup did not answer within 3 s"));
 * ```
 */
export function settleWithin<T>(pending: PromiseLike<T>, timeoutMs: number, onTimeout: () => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

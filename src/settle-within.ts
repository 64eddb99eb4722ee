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

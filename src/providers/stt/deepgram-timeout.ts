import type { Clock } from '../../clock.js';

/** Rejects if `promise` has not settled within `ms` (the socket did not open in time). */
export function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new Error(`Deepgram socket did not open within ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** waitForOpen rejects with the SDK's ErrorEvent, not an Error. */
export function toError(err: unknown, fallback: string): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') {
    return new Error(err.message || fallback);
  }
  return new Error(fallback);
}

import { type Clock, systemClock } from './clock.js';

/** What `withTimeout` rejects with, so a caller can tell "too slow" from the promise's own failure. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * Settles as `promise` does, or rejects with a TimeoutError carrying `message` once `ms` have passed.
 * The promise itself runs on: whoever started it decides what its late result means.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
  clock: Clock = systemClock,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new TimeoutError(message)), ms);
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

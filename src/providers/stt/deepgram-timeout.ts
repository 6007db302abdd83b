/** waitForOpen rejects with the SDK's ErrorEvent, not an Error. */
export function toError(err: unknown, fallback: string): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') {
    return new Error(err.message || fallback);
  }
  return new Error(fallback);
}

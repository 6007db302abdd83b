/** How often the count is looked at again once the known calls have ended. */
const POLL_MS = 100;

/**
 * Resolves when `live()` reaches 0 or `timeoutMs` passes. `ending` are the calls known now (their
 * promises settle when they end), so the common case wakes at once; the count then covers calls
 * that are not promises here (Free-tier Twilio calls, which end on a webhook).
 */
export async function untilIdle(
  live: () => number,
  ending: Promise<unknown>[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(ending),
    new Promise((r) => {
      timer = setTimeout(r, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  while (live() > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, deadline - Date.now())).unref());
  }
}

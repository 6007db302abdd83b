/**
 * "Something changed" for webhooks waiting on a Free-tier call: the chart moved, or words are ready.
 * A waiter wakes on the next change or gives up after its timeout; waiters are never left behind.
 */
export class ChangeSignal {
  private readonly waiters = new Set<() => void>();

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** True on a change, false when `timeoutMs` passed first. */
  next(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

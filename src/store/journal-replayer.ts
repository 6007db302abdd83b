import type { Logger } from '../log.js';
import type { BookingJournal } from './booking-journal.js';
import type { CallStore } from './types.js';

/** How often journalled bookings are retried against the store while the server runs. */
export const JOURNAL_REPLAY_INTERVAL_MS = 30_000;

/**
 * Replays the booking journal in the background, so a booking kept there while the store was failing
 * reaches the store once it recovers, not only at the next start. One pass at a time; a failing pass
 * is logged and the next one tries again. Never keeps the process alive.
 */
export class JournalReplayer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly journal: BookingJournal,
    private readonly store: CallStore,
    private readonly log: Logger,
    private readonly intervalMs: number = JOURNAL_REPLAY_INTERVAL_MS,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.replayNow(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass now (or the one already running). Resolves when it is over; never rejects. */
  replayNow(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timer and waits for a pass in progress, so the store can be closed after it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async pass(): Promise<void> {
    try {
      const result = await this.journal.replay(this.store);
      if (result.replayed || result.failed) this.log.warn(result, 'booking journal replayed');
    } catch (err) {
      this.log.error({ err }, 'booking journal replay failed');
    }
  }
}

import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import client from 'prom-client';

export type RefusalReason = 'max-calls' | 'event-loop-delay';

export type AdmissionVerdict = { admit: true } | { admit: false; reason: RefusalReason };

export interface AdmissionOptions {
  /** Calls in progress plus calls admitted at FastAGI that have not connected yet. */
  load: () => number;
  maxCalls: number;
  /** Shed new calls while the event loop's p99 delay is above this (ms); 0 turns it off. */
  maxEventLoopDelayMs: number;
  /** Where the admission metrics go (the app's own registry). */
  registry: client.Registry;
  /** Length of the event-loop delay window (default 1000 ms). */
  windowMs?: number;
}

/**
 * Decides whether a new call may start. Two limits: a fixed number of calls (`MAX_CALLS`), and the
 * event loop's recent p99 delay, because a loop that is late already makes every call's 20 ms
 * frames late; one more call would make them later for everyone. Refusals are counted by reason.
 */
export class Admission {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private lastWindowP99Ms = 0;
  private readonly refused: client.Counter<'reason'>;

  constructor(private readonly opts: AdmissionOptions) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.lastWindowP99Ms = this.currentP99Ms();
      this.histogram.reset();
    }, opts.windowMs ?? 1000);
    this.timer.unref();
    const registers = [opts.registry];
    this.refused = new client.Counter({
      name: 'callchart_calls_refused_total',
      help: 'Calls refused at admission (FastAGI answered VA_OUTCOME=overflow), by reason',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['max-calls', 'event-loop-delay'] as const) this.refused.inc({ reason }, 0);
    new client.Gauge({
      name: 'callchart_admission_max_calls',
      help: 'MAX_CALLS: calls admitted at once',
      registers,
      collect() {
        this.set(opts.maxCalls);
      },
    });
    new client.Gauge({
      name: 'callchart_admission_load',
      help: 'Calls in progress plus calls admitted and not yet connected',
      registers,
      collect() {
        this.set(opts.load());
      },
    });
    const self = this;
    new client.Gauge({
      name: 'callchart_event_loop_delay_p99_ms',
      help: 'p99 event-loop delay of the last window, ms (the admission shedding signal)',
      registers,
      collect() {
        this.set(self.recentDelayMs());
      },
    });
  }

  /** The worse of the last full window and the one in progress. */
  recentDelayMs(): number {
    return Math.max(this.lastWindowP99Ms, this.currentP99Ms());
  }

  /** A new call at FastAGI: both limits. */
  check(): AdmissionVerdict {
    let verdict: AdmissionVerdict = { admit: true };
    if (this.opts.load() >= this.opts.maxCalls) verdict = { admit: false, reason: 'max-calls' };
    else if (this.opts.maxEventLoopDelayMs > 0 && this.recentDelayMs() > this.opts.maxEventLoopDelayMs) {
      verdict = { admit: false, reason: 'event-loop-delay' };
    }
    if (!verdict.admit) this.refused.inc({ reason: verdict.reason });
    return verdict;
  }

  /**
   * An AudioSocket connection that did not come through FastAGI (metadata-file mode): only the call
   * limit, counted over connected calls; shedding a call whose audio is already up would be worse.
   */
  checkConnected(connected: number): AdmissionVerdict {
    if (connected < this.opts.maxCalls) return { admit: true };
    this.refused.inc({ reason: 'max-calls' });
    return { admit: false, reason: 'max-calls' };
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private currentP99Ms(): number {
    // Empty histograms report a huge minimum; percentile() is 0 then.
    return this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
  }
}

import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import client from 'prom-client';

export type RefusalReason = 'max-calls' | 'event-loop-delay' | 'provider-capacity' | 'draining';
const REASONS: readonly RefusalReason[] = ['max-calls', 'event-loop-delay', 'provider-capacity', 'draining'];

export type AdmissionVerdict = { admit: true } | { admit: false; reason: RefusalReason };

/** Where a new call asks to come in; counted per transport in /metrics. */
export type AdmissionEntry = 'fastagi' | 'twilio-stream' | 'twilio-free' | 'browser' | 'audiosocket';

export interface AdmissionOptions {
  /** Calls in progress plus calls admitted that have not connected yet (every transport). */
  load: () => number;
  maxCalls: number;
  /** Shed new calls while the event loop's p99 delay is above this (ms); 0 turns it off. */
  maxEventLoopDelayMs: number;
  /** Where the admission metrics go (the app's own registry). */
  registry: client.Registry;
  /** True once shutdown has begun: no new call starts. */
  draining?: () => boolean;
  /**
   * Speech provider headroom (Deepgram streams, Cartesia contexts) for one more call: false refuses
   * the call up front instead of serving it half. Calls that use no speech provider skip it.
   */
  providersHaveRoom?: () => boolean;
  /** The delay to shed on, instead of this process's own loop (the primary: its workers' delay). */
  delayMs?: () => number;
  /** Length of the event-loop delay window (default 1000 ms). */
  windowMs?: number;
}

/**
 * Decides whether a new call may start, whichever way it arrives. The limits: not while draining; a
 * fixed number of calls (`MAX_CALLS`); the event loop's recent p99 delay, because a loop that is late
 * already makes every call's 20 ms frames late and one more call would make them later for everyone;
 * and the speech providers' capacity. Refusals are counted by reason and entry.
 */
export class Admission {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private lastWindowP99Ms = 0;
  private readonly refused: client.Counter<'reason' | 'entry'>;

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
      help: 'Calls refused at admission (FastAGI: VA_OUTCOME=overflow; Twilio and browser: the overflow line), by reason and entry',
      labelNames: ['reason', 'entry'],
      registers,
    });
    for (const reason of REASONS) this.refused.inc({ reason, entry: 'fastagi' }, 0);
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

  /** The worse of the last full window and the one in progress (or the delay source given). */
  recentDelayMs(): number {
    return this.opts.delayMs?.() ?? Math.max(this.lastWindowP99Ms, this.currentP99Ms());
  }

  /** Free call slots under MAX_CALLS (0 when full). */
  freeSlots(): number {
    return Math.max(0, this.opts.maxCalls - this.opts.load());
  }

  /** Why a new call would be refused now, without counting a refusal (readiness, agent check). */
  wouldRefuse(usesProviders = true): RefusalReason | undefined {
    if (this.opts.draining?.()) return 'draining';
    if (this.opts.load() >= this.opts.maxCalls) return 'max-calls';
    if (this.opts.maxEventLoopDelayMs > 0 && this.recentDelayMs() > this.opts.maxEventLoopDelayMs) {
      return 'event-loop-delay';
    }
    if (usesProviders && this.opts.providersHaveRoom && !this.opts.providersHaveRoom()) {
      return 'provider-capacity';
    }
    return undefined;
  }

  /** A new call: every limit. `usesProviders` false for calls that open no speech provider (Free tier). */
  check(entry: AdmissionEntry = 'fastagi', usesProviders = true): AdmissionVerdict {
    const reason = this.wouldRefuse(usesProviders);
    if (reason === undefined) return { admit: true };
    this.refused.inc({ reason, entry });
    return { admit: false, reason };
  }

  /**
   * An AudioSocket connection that did not come through FastAGI (metadata-file mode): only the call
   * limit, counted over connected calls; shedding a call whose audio is already up would be worse.
   */
  checkConnected(connected: number): AdmissionVerdict {
    if (connected < this.opts.maxCalls) return { admit: true };
    this.refused.inc({ reason: 'max-calls', entry: 'audiosocket' });
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

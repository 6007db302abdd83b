import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProviderUse } from '../admission/provider-capacity.js';
import type { CallMetadata } from '../agi/call-metadata.js';
import type { CallLegOutcome } from '../agi/call-outcome-registry.js';
import type { Logger } from '../log.js';
import { fromWorkerMessage, type ToWorkerMessage } from './worker-messages.js';

/** What the primary knows about one worker slot (a slot keeps its index across restarts). */
export interface WorkerState {
  index: number;
  pid: number | null;
  /** "host:port" once the worker has said it is ready; null while (re)starting. */
  audioSocket: string | null;
  /** Live calls at the last report, plus calls handed over since (not yet in a report). */
  calls: number;
  handedOver: number;
  loopDelayMs: number;
  /** Speech provider capacity it held at the last report. */
  providers: ProviderUse;
  restarts: number;
}

export interface WorkerPoolOptions {
  count: number;
  audioSocketHost: string;
  log: Logger;
  /** A worker reported how a call's AudioSocket leg ended. */
  onOutcome?: (uuid: string, outcome: CallLegOutcome) => void;
  /** How long a stopping worker may drain before it is killed (default 20 s). */
  stopTimeoutMs?: number;
}

/** After a crash, wait this long before starting the slot again; doubled per quick crash, capped. */
const RESTART_BASE_MS = 250;
const RESTART_MAX_MS = 10_000;
/** A worker that lived this long is healthy again: its next crash restarts it at the base delay. */
const STABLE_AFTER_MS = 30_000;
/** A worker still running this long after being asked to stop is killed, unless told otherwise. */
const STOP_TIMEOUT_MS = 20_000;
/** A worker that has not sent its metrics by then is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2000;
const NO_PROVIDERS: ProviderUse = { sttStreams: 0, ttsContexts: 0, ttsSessions: 0 };
/**
 * Event-loop delay (p99 over the last report) past which a worker is stalling: it gets new calls
 * only if every worker is. Below it, delay only breaks ties between equally busy workers.
 */
const STALL_MS = 250;
const STALL_PENALTY_CALLS = 10_000;

const WORKER_MAIN = fileURLToPath(
  new URL(`./worker-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * N worker processes, each running the call runtime (worker-main.ts). The primary hands each new call
 * to the least-loaded ready worker (fewest live calls; event-loop delay breaks ties and sidelines a
 * stalling worker). A worker that dies loses only its own calls and is started again; the others
 * are untouched.
 */
export class WorkerPool {
  private readonly slots: Array<WorkerState & { child: ChildProcess | null; startedAt: number }> = [];
  private closing = false;
  private nextMetricsId = 0;
  private readonly metricsWaiters = new Map<number, (metrics: unknown[]) => void>();

  constructor(private readonly opts: WorkerPoolOptions) {
    for (let index = 0; index < opts.count; index++) {
      this.slots.push({
        index,
        pid: null,
        audioSocket: null,
        calls: 0,
        handedOver: 0,
        loopDelayMs: 0,
        providers: NO_PROVIDERS,
        restarts: 0,
        child: null,
        startedAt: 0,
      });
      this.start(index);
    }
  }

  /** Resolves once every worker is ready (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.slots.some((s) => !s.audioSocket)) {
      if (Date.now() > deadline) throw new Error('workers did not start in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  states(): WorkerState[] {
    return this.slots.map(({ child: _c, startedAt: _s, ...state }) => ({ ...state }));
  }

  /** Registers the call with the least-loaded ready worker; returns its AudioSocket address. */
  assign(uuid: string, meta: CallMetadata): string | undefined {
    if (this.closing) return undefined;
    let best: (typeof this.slots)[number] | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const s of this.slots) {
      if (!s.audioSocket || !s.child?.connected) continue;
      const score = s.calls + s.handedOver + (s.loopDelayMs > STALL_MS ? STALL_PENALTY_CALLS : 0);
      if (score < bestScore || (score === bestScore && best && s.loopDelayMs < best.loopDelayMs)) {
        best = s;
        bestScore = score;
      }
    }
    if (!best?.child || !best.audioSocket) return undefined;
    this.send(best.child, { type: 'register', uuid, meta });
    best.handedOver++;
    return best.audioSocket;
  }

  /** Tells every worker to drop a registration (the FastAGI session failed before handing it over). */
  forget(uuid: string): void {
    for (const s of this.slots) if (s.child?.connected) this.send(s.child, { type: 'forget', uuid });
  }

  /**
   * Every ready worker's metrics (prom-client JSON), for the primary to aggregate. A worker that does
   * not answer in time is left out of this scrape rather than holding it up.
   */
  async collectMetrics(): Promise<unknown[][]> {
    const replies = this.slots.map((s) => {
      const child = s.child;
      if (!child?.connected) return Promise.resolve(null);
      const id = this.nextMetricsId++ % 1_000_000;
      return new Promise<unknown[] | null>((resolve) => {
        const timer = setTimeout(() => {
          this.metricsWaiters.delete(id);
          resolve(null);
        }, METRICS_TIMEOUT_MS);
        this.metricsWaiters.set(id, (metrics) => {
          clearTimeout(timer);
          this.metricsWaiters.delete(id);
          resolve(metrics);
        });
        this.send(child, { type: 'metrics', id });
      });
    });
    return (await Promise.all(replies)).filter((m): m is unknown[] => m !== null);
  }

  /**
   * Asks every worker to drain (no new calls, live calls end or hear a goodbye), then waits for them
   * to exit; none is restarted.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(async (s) => {
        const child = s.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        if (child.connected) this.send(child, { type: 'shutdown' });
        else child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs ?? STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(kill);
      }),
    );
  }

  private start(index: number): void {
    const slot = this.slots[index];
    if (!slot || this.closing) return;
    const log = this.opts.log.child({ worker: index });
    const child = fork(WORKER_MAIN, [String(index)], { stdio: 'inherit' });
    Object.assign(slot, { child, pid: child.pid ?? null, audioSocket: null, calls: 0, handedOver: 0 });
    slot.startedAt = Date.now();
    child.on('message', (raw) => {
      const parsed = fromWorkerMessage.safeParse(raw);
      if (!parsed.success) return log.warn('bad message from worker dropped');
      const m = parsed.data;
      if (m.type === 'ready') {
        slot.audioSocket = `${this.opts.audioSocketHost}:${m.audioSocketPort}`;
        log.info({ pid: child.pid, audioSocket: slot.audioSocket }, 'worker ready');
      } else if (m.type === 'metrics') {
        this.metricsWaiters.get(m.id)?.(m.metrics);
      } else if (m.type === 'outcome') {
        const { uuid, outcome, transferTo } = m;
        this.opts.onOutcome?.(uuid, { outcome, ...(transferTo ? { transferTo } : {}) });
      } else {
        slot.calls = m.calls;
        slot.handedOver = 0;
        slot.loopDelayMs = m.loopDelayMs;
        slot.providers = m.providers ?? NO_PROVIDERS;
      }
    });
    child.on('error', (err) => log.error({ err }, 'worker process error'));
    child.once('exit', (code, signal) => {
      if (slot.child !== child) return;
      Object.assign(slot, {
        child: null,
        pid: null,
        audioSocket: null,
        calls: 0,
        handedOver: 0,
        providers: NO_PROVIDERS,
      });
      if (this.closing) return;
      const quick = Date.now() - slot.startedAt < STABLE_AFTER_MS;
      const wait = quick
        ? Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** Math.min(slot.restarts, 6))
        : RESTART_BASE_MS;
      slot.restarts++;
      log.error({ code, signal, restartInMs: wait }, 'worker exited; its calls are lost, restarting it');
      setTimeout(() => this.start(index), wait).unref();
    });
  }

  private send(child: ChildProcess, m: ToWorkerMessage): void {
    child.send(m, (err) => {
      if (err) this.opts.log.warn({ err }, 'could not reach a worker');
    });
  }
}

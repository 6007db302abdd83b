import { type CallDeps, type CallSummary, runCall, type SessionTransport } from '../call/call-session.js';
import type { Dashboard } from '../dashboard/dashboard.js';
import type { TransportName } from '../dashboard/live-calls.js';
import type { Logger } from '../log.js';

/**
 * The calls in progress, whatever their transport: each connection becomes one `runCall`, shown on
 * the dashboard, and is forgotten when it ends. Draining waits on this set.
 */
export class CallTracker {
  private readonly calls = new Set<Promise<CallSummary>>();

  constructor(
    private readonly dashboard: Dashboard,
    private readonly log: Logger,
    private readonly onCallEnded?: (summary: CallSummary) => void,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  run(call: SessionTransport, transport: TransportName, deps: CallDeps): void {
    const run = runCall(
      this.dashboard.callTransport(call),
      this.dashboard.callDeps(deps, call.callId, transport),
    )
      .catch((err): CallSummary => {
        // A bug in one call must end only that call.
        this.log.error({ err, callId: call.callId }, 'call failed');
        if (!call.closed) call.hangup();
        return { callId: call.callId, outcome: 'error', turns: 0, bargeIns: 0 };
      })
      .then((summary) => {
        this.calls.delete(run);
        this.dashboard.live.ended({ callId: summary.callId, outcome: summary.outcome });
        this.onCallEnded?.(summary);
        return summary;
      });
    this.calls.add(run);
  }

  /** Resolves when every call in progress has ended, or after `timeoutMs`. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const all = Promise.allSettled([...this.calls]);
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

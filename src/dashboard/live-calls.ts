import type { InspectionEvent } from 'xstate';
import type { CallEnd, TurnRecord } from '../store/types.js';

export type TransportName = 'audiosocket' | 'browser' | 'twilio';

export interface LiveLine {
  role: 'caller' | 'agent';
  text: string;
  interrupted?: boolean;
}

export interface LiveCall {
  callId: string;
  transport: TransportName;
  startedAt: number;
  tenantId?: string;
  companyName?: string;
  callerMasked?: string;
  tier?: string;
  language?: string;
  /** The machine's state value (nested object of region -> state). */
  state?: unknown;
  step?: string;
  turn?: number;
  transcript: LiveLine[];
  turns: TurnRecord[];
  providerErrors: { provider: string; kind: string; at: number }[];
  fallbacks: { from: string; to: string; at: number }[];
  endedAt?: number;
  outcome?: string;
}

/** What subscribers (the SSE stream) receive. */
export type LiveUpdate =
  | { type: 'call'; call: LiveCall }
  | { type: 'event'; callId: string; event: string; at: number }
  | { type: 'ended'; callId: string; outcome: string };

/** Bounds: a dashboard shows a window of activity, not an archive (that is the store). */
const MAX_LIVE = 200;
const MAX_RECENT = 20;
const MAX_LINES = 200;
const MAX_TURNS = 100;
const MAX_ERRORS = 50;
const MAX_LISTENERS = 50;

/**
 * The calls in progress (and the last few that ended), fed from the runtime's seams: the inspection
 * callback, the observer and call start/end. The dashboard's SSE stream subscribes here.
 */
export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  private readonly recent: string[] = [];
  private readonly listeners = new Set<(u: LiveUpdate) => void>();

  list(): LiveCall[] {
    return [...this.calls.values()];
  }

  get(callId: string): LiveCall | undefined {
    return this.calls.get(callId);
  }

  /** Returns an unsubscribe function, or null when too many are listening already. */
  subscribe(listener: (u: LiveUpdate) => void): (() => void) | null {
    if (this.listeners.size >= MAX_LISTENERS) return null;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  started(callId: string, transport: TransportName): void {
    if (this.calls.size >= MAX_LIVE + MAX_RECENT) this.evictOldestEnded();
    if (this.calls.size >= MAX_LIVE + MAX_RECENT) return; // more calls than a page can show: skip
    this.calls.set(callId, {
      callId,
      transport,
      startedAt: Date.now(),
      transcript: [],
      turns: [],
      providerErrors: [],
      fallbacks: [],
    });
    this.changed(callId);
  }

  identified(
    callId: string,
    who: { tenantId: string; companyName: string; callerMasked: string; tier: string; language: string },
  ): void {
    const call = this.calls.get(callId);
    if (!call) return;
    Object.assign(call, who);
    this.changed(callId);
  }

  /** The per-call inspection callback: root snapshots and the events it received. */
  inspector(callId: string): (ev: InspectionEvent) => void {
    return (ev) => {
      const call = this.calls.get(callId);
      if (!call || ev.actorRef.sessionId !== ev.rootId) return; // the call actor only, not its children
      if (ev.type === '@xstate.event') {
        const type = ev.event.type;
        if (type.startsWith('xstate.')) return;
        this.emit({ type: 'event', callId, event: type, at: Date.now() });
      } else if (ev.type === '@xstate.snapshot') {
        const snap = ev.snapshot as {
          value?: unknown;
          context?: { step?: string; turn?: number; language?: string; history?: unknown[] };
        };
        const ctx = snap.context;
        const transcript = (ctx?.history ?? []).flatMap(toLine).slice(-MAX_LINES);
        const before = JSON.stringify([call.state, call.step, call.turn, call.transcript.length]);
        call.state = snap.value;
        call.step = ctx?.step;
        call.turn = ctx?.turn;
        if (ctx?.language) call.language = ctx.language;
        call.transcript = transcript;
        const after = JSON.stringify([call.state, call.step, call.turn, call.transcript.length]);
        if (before !== after) this.changed(callId);
      }
    };
  }

  turn(record: TurnRecord): void {
    const call = this.calls.get(record.callId);
    if (!call) return;
    call.turns.push(record);
    if (call.turns.length > MAX_TURNS) call.turns.shift();
    this.changed(record.callId);
  }

  providerError(callId: string, provider: string, kind: string): void {
    const call = this.calls.get(callId);
    if (!call || call.providerErrors.length >= MAX_ERRORS) return;
    call.providerErrors.push({ provider, kind, at: Date.now() });
    this.changed(callId);
  }

  fallback(callId: string, from: string, to: string): void {
    const call = this.calls.get(callId);
    if (!call || call.fallbacks.length >= MAX_ERRORS) return;
    call.fallbacks.push({ from, to, at: Date.now() });
    this.changed(callId);
  }

  ended(end: Pick<CallEnd, 'callId' | 'outcome'>): void {
    const call = this.calls.get(end.callId);
    if (!call || call.endedAt !== undefined) return;
    call.endedAt = Date.now();
    call.outcome = end.outcome;
    this.recent.push(end.callId);
    while (this.recent.length > MAX_RECENT) this.calls.delete(this.recent.shift() ?? '');
    this.changed(end.callId);
    this.emit({ type: 'ended', callId: end.callId, outcome: end.outcome });
  }

  private evictOldestEnded(): void {
    const oldest = this.recent.shift();
    if (oldest) this.calls.delete(oldest);
  }

  private changed(callId: string): void {
    const call = this.calls.get(callId);
    if (call) this.emit({ type: 'call', call });
  }

  private emit(update: LiveUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}

function toLine(entry: unknown): LiveLine[] {
  const e = entry as { role?: string; text?: unknown; interrupted?: unknown };
  if ((e.role !== 'caller' && e.role !== 'agent') || typeof e.text !== 'string') return [];
  return [{ role: e.role, text: e.text, ...(e.interrupted === true ? { interrupted: true } : {}) }];
}

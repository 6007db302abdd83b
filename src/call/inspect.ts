import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { InspectionEvent, Observer } from 'xstate';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

/** Receives every call actor's inspection events; off unless INSPECT is set. */
export interface CallInspector {
  record(callId: string, ev: InspectionEvent): void;
  close(): Promise<void>;
}

/**
 * INSPECT=1    the Stately inspector (stately.ai, needs the internet: a developer's desk, not a phone server)
 * INSPECT=ws   a WebSocket inspector at INSPECT_WS_URL (e.g. a local relay)
 * INSPECT=jsonl an offline trace: one JSON line per event and state change, TRACE_DIR/callchart-<date>.jsonl
 * The remote inspectors reconnect forever and keep sockets open (@statelyai/inspect 0.7 never gives up): main.ts exits
 * the process explicitly on shutdown, and tests never enable them.
 */
export function createInspector(config: Config, log: Logger): CallInspector | undefined {
  if (config.INSPECT === '0') return undefined;
  if (config.INSPECT === 'jsonl') return jsonlInspector(config.TRACE_DIR, log);
  return remoteInspector(config, log);
}

function remoteInspector(config: Config, log: Logger): CallInspector {
  let observer: Observer<InspectionEvent> | undefined;
  let stop: (() => void) | undefined;
  const pending: InspectionEvent[] = [];
  // Loaded only when asked for: the package opens sockets as soon as an inspector exists.
  const ready = import('@statelyai/inspect').then((m) => {
    const inspector =
      config.INSPECT === 'ws'
        ? m.createWebSocketInspector({ url: config.INSPECT_WS_URL })
        : m.createSkyInspector();
    observer = inspector.inspect;
    stop = () => inspector.stop();
    for (const ev of pending.splice(0)) observer.next?.(ev);
    log.info({ mode: config.INSPECT }, 'Stately inspector attached');
  });
  ready.catch((err) => log.warn({ err }, 'Stately inspector unavailable'));
  return {
    record(_callId, ev) {
      if (observer) observer.next?.(ev);
      else if (pending.length < 1000) pending.push(ev);
    },
    async close() {
      stop?.();
    },
  };
}

function jsonlInspector(dir: string, log: Logger): CallInspector {
  mkdirSync(dir, { recursive: true });
  const children = new ChildActorTracker();
  const file = join(dir, `callchart-${new Date().toISOString().slice(0, 10)}.jsonl`);
  const out: WriteStream = createWriteStream(file, { flags: 'a' });
  out.on('error', (err) => log.warn({ err, file }, 'trace file write failed'));
  log.info({ file }, 'writing call traces');
  return {
    record(callId, ev) {
      for (const line of [...children.changes(callId, ev), traceLine(callId, ev)]) {
        if (line) out.write(`${JSON.stringify(line)}\n`);
      }
    },
    close: () => new Promise<void>((resolve) => out.end(resolve)),
  };
}

/** Events and state changes only; snapshots carry the state value, never the whole context. */
function traceLine(callId: string, ev: InspectionEvent): Record<string, unknown> | undefined {
  const actor = (ev.actorRef as { id?: string }).id ?? 'call';
  const at = Date.now();
  if (ev.type === '@xstate.event') {
    const { type, ...rest } = ev.event;
    const fields = Object.fromEntries(
      Object.entries(rest).filter(([, v]) => typeof v !== 'object' || v === null),
    );
    return { at, callId, actor, kind: 'event', event: type, ...fields };
  }
  if (ev.type === '@xstate.snapshot') {
    const value = (ev.snapshot as { value?: unknown }).value;
    if (value === undefined) return undefined;
    const step = (ev.snapshot as { context?: { step?: string } }).context?.step;
    return { at, callId, actor, kind: 'state', value, step, cause: ev.event.type };
  }
  return undefined;
}

/**
 * The call's child actors (audio, stt, tts, greeting, reply, saveBooking) starting and stopping, read
 * from the root actor's snapshots: a child appears in `children` when it is invoked and leaves when
 * its state is exited, so the trace shows the actor tree of a call as it changes.
 */
class ChildActorTracker {
  private readonly live = new Map<string, Set<string>>();

  changes(callId: string, ev: InspectionEvent): Array<Record<string, unknown>> {
    if (ev.type !== '@xstate.snapshot' || ev.actorRef.sessionId !== ev.rootId) return [];
    const snap = ev.snapshot as { status?: string; children?: Record<string, unknown> };
    const now = snap.status === 'active' ? new Set(Object.keys(snap.children ?? {})) : new Set<string>();
    const before = this.live.get(callId) ?? new Set<string>();
    const at = Date.now();
    const out: Array<Record<string, unknown>> = [];
    for (const id of now)
      if (!before.has(id)) out.push({ at, callId, kind: 'actor', change: 'started', actor: id });
    for (const id of before)
      if (!now.has(id)) out.push({ at, callId, kind: 'actor', change: 'stopped', actor: id });
    if (now.size) this.live.set(callId, now);
    else this.live.delete(callId);
    return out;
  }
}

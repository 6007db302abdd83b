import type { Actor } from 'xstate';
import type { CallMachine } from '../../machines/call.machine.js';
import { roundTo } from '../round.js';
import type { CallEnd, CallStore } from '../store/types.js';
import type { CallLine } from './call-line.js';
import type { LegOutcome } from './leg-outcome.js';

export interface CallSummary {
  callId: string;
  outcome: CallEnd['outcome'];
  bookingId?: string;
  turns: number;
  bargeIns: number;
}

/** How long the summary waits for provider sockets to close before it is written anyway. */
const CLOSE_WAIT_MS = 2000;

/** The call's row goes in as soon as the tenant is known; a failed write never stops the call. */
export function startCallRecord(line: CallLine, store: CallStore, dialled: string): void {
  line.observer.callStarted(line.tenantId);
  store
    .startCall({
      callId: line.callId,
      tenantId: line.tenantId,
      callerMasked: line.caller.callerMasked,
      callerHash: line.caller.callerHash,
      dialled,
      language: line.caller.language,
      startedAt: Date.now(),
    })
    .catch((err: unknown) => line.log.error({ err }, 'could not store call start'));
}

/**
 * The end of a call: the actor is stopped (its children close their sockets), the call row gets its
 * outcome and figures, and one `call ended` line is logged.
 */
export async function endCall(
  line: CallLine,
  actor: Actor<CallMachine>,
  store: CallStore,
  legOutcome?: LegOutcome,
  heardAtHangup = '',
): Promise<CallSummary> {
  if (actor.getSnapshot().status === 'active') actor.send({ type: 'HANGUP' });
  const snap = actor.getSnapshot();
  // The caller hung up while their turn was being answered: the turn is stored all the same, with
  // what they heard of the answer (queued before the end row, so it is written first).
  if (line.turns.hasOpenTurn) {
    const record = line.turns.agentDone(heardAtHangup, false, snap.context.step);
    line.observer.turn(line.tenantId, record);
    store.addTurn(record).catch((err: unknown) => line.log.error({ err }, 'could not store turn'));
  }
  actor.stop();
  if (!line.transport.closed) line.transport.hangup();
  const c = snap.context;
  const outcome: CallEnd['outcome'] = c.outcome ?? 'caller-hangup';
  legOutcome?.settle(outcome);
  const end: CallEnd = {
    callId: line.callId,
    endedAt: Date.now(),
    outcome,
    metrics: {
      durationMs: Math.round(line.now() - line.connectedAt),
      turns: c.turn,
      bargeIns: c.bargeIns,
      booked: Boolean(c.bookingId),
      answerToFirstAudioMs: roundTo(line.stats.answeredMs, 1),
      providerErrors: line.stats.providerErrors,
      fallbacks: line.stats.fallbacks,
    },
  };
  const closed = Promise.allSettled(line.closing);
  await Promise.all([
    Promise.race([closed, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]),
    store.endCall(end).catch((err: unknown) => line.log.error({ err }, 'could not store call end')),
  ]);
  line.observer.callEnded(line.tenantId, end);
  line.log.info({ outcome, ...end.metrics, bookingId: c.bookingId }, 'call ended');
  return { callId: line.callId, outcome, bookingId: c.bookingId, turns: c.turn, bargeIns: c.bargeIns };
}

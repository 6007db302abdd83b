import { fromCallback } from 'xstate';
import type { AudioCommand, CallChildInput, CallEvent } from '../../machines/call.types.js';
import type { CallLine } from './call-line.js';
import type { CallerAudio } from './caller-audio.js';
import type { LegOutcome } from './leg-outcome.js';

export interface AudioActorDeps {
  line: CallLine;
  callerAudio: CallerAudio;
  /** Hands this actor the transport's caller frames (the composition root held them until now). */
  routeCallerFrames: (onFrame: (frame: Buffer) => void) => void;
  /** Told when agent audio was stopped for a barge-in: detection time and flush time (clock ms). */
  onBargeIn?: (callId: string, detectedAt: number, stoppedAt: number) => void;
  /** How the leg ended, told before the hang-up so the dialplan can act on it (transfer, …). */
  legOutcome?: LegOutcome;
}

/**
 * The `audio` child: the call's transport. Caller frames go to the barge-in detector and the STT (in
 * CallerAudio); key presses, a drained playout queue and the hang-up become milestones. The chart
 * commands it to stop the agent's audio (barge-in) and to hang up.
 */
export function audioActor(deps: AudioActorDeps) {
  const { line, callerAudio } = deps;
  return fromCallback<AudioCommand, CallChildInput>(({ sendBack, receive }) => {
    const send = (e: CallEvent) => sendBack(e);
    let live = true;
    const { transport } = line;
    transport.on('dtmf', (digit) => live && send({ type: 'DTMF', digit }));
    transport.on('playoutDone', () => live && line.speaker?.onPlayoutDrained());
    transport.on('closed', () => live && send({ type: 'HANGUP' }));
    deps.routeCallerFrames((frame) => callerAudio.onFrame(frame));
    if (transport.closed) send({ type: 'HANGUP' }); // hung up while the call was being set up

    receive((command) => {
      if (command.type === 'AUDIO.HANGUP') {
        if (command.outcome) deps.legOutcome?.settle(command.outcome);
        transport.hangup({ afterPlayout: true });
        return;
      }
      const droppedMs = transport.flush();
      if (line.bargeInAt === null) return;
      const stoppedAt = line.now();
      line.turns.bargeInStopped(stoppedAt - line.bargeInAt);
      deps.onBargeIn?.(line.callId, line.bargeInAt, stoppedAt);
      line.observer.bargeIn(line.tenantId);
      line.log.info({ droppedMs: Math.round(droppedMs) }, 'barge-in: agent audio stopped');
      line.bargeInAt = null;
    });

    return () => {
      live = false;
      callerAudio.close();
      if (!transport.closed) transport.hangup();
    };
  });
}

import { fromCallback } from 'xstate';
import type { CallChildInput, CallEvent } from '../../machines/call.types.js';
import type { CallLine } from './call-line.js';

/**
 * The `tts` child: owns the call's text-to-speech session (one socket, opened while the tenant was
 * being resolved; the greeting and each reply speak through their own contexts on it). A session
 * that cannot be opened is `TTS.FAILED`; on the way out the socket is closed.
 */
export function ttsActor(line: CallLine) {
  return fromCallback<CallEvent, CallChildInput>(({ sendBack }) => {
    let stopped = false;
    line.tts.then(
      () => {},
      (err: unknown) => {
        if (stopped) return;
        line.observer.providerError('tts', 'connect');
        line.log.error({ err }, 'text-to-speech unavailable');
        sendBack({ type: 'TTS.FAILED', reason: String((err as Error)?.message ?? err) });
      },
    );
    return () => {
      stopped = true;
      line.closing.push(line.tts.then((s) => s.close()));
    };
  });
}

import { fromCallback } from 'xstate';
import type { CallEvent, Language, SttCommand, SttInput } from '../../machines/call.types.js';
import {
  STT_SILENT_SOCKET_CODE,
  type SttEvent,
  type SttOptions,
  type SttProvider,
  type SttSession,
} from '../providers/stt/types.js';
import type { CallLine } from './call-line.js';
import type { CallerAudio } from './caller-audio.js';
import { TurnEnd, type TurnEndOptions } from './turn-end.js';

export const STT_LANGUAGE: Record<Language, string> = { en: 'en-GB', es: 'es' };

export interface SttActorDeps {
  line: CallLine;
  callerAudio: CallerAudio;
  stt: SttProvider;
  options: Omit<SttOptions, 'encoding' | 'sampleRate' | 'language'>;
  /** STT language: a code or 'multi', or 'auto' to follow the caller's language. */
  language: string;
  /** End-of-turn timing; `estimate` is false when the STT decides turns itself (Flux). */
  turnEnd: TurnEndOptions;
}

/**
 * The `stt` child: one speech-to-text session for the whole call (the adapter redials drops). Caller
 * audio reaches it from CallerAudio, buffered until the socket is open. It reports speech starts and
 * whole caller turns (finals joined until the end of the utterance), and fails the call over to a
 * person with `STT.FAILED` when the service cannot be reached.
 */
export function sttActor(deps: SttActorDeps) {
  const { line, callerAudio } = deps;
  return fromCallback<SttCommand, SttInput>(({ input, sendBack, receive }) => {
    const send = (e: CallEvent) => sendBack(e);
    let session: SttSession | undefined;
    let stopped = false;
    const turnEnd = new TurnEnd(deps.turnEnd, {
      ending: (text) => send({ type: 'CALLER.TURN_ENDING', text }),
      resumed: () => send({ type: 'CALLER.TURN_RESUMED' }),
      final: (text) => {
        line.finalVoicedAt = line.lastVoicedAt;
        send({ type: 'CALLER.FINAL', text });
      },
      finalize: () => session?.finalize(),
    });
    callerAudio.onVoice = (voiced, at) => !stopped && turnEnd.frame(voiced, at);

    const onEvent = (e: SttEvent) => {
      if (stopped) return;
      switch (e.type) {
        case 'speech-started':
          // A line without barge-in (Twilio Pro) ignores the caller while the agent is audible.
          if (line.transport.bargeIn === false && agentAudible(line)) break;
          if (line.speaker) line.bargeInAt = line.now();
          send({ type: 'CALLER.SPEECH_STARTED', source: 'stt', heardText: line.heard() });
          break;
        case 'interim':
          turnEnd.interimResult(e.text);
          break;
        case 'final':
          turnEnd.finalResult(e.text, e);
          break;
        case 'utterance-end':
          turnEnd.utteranceEnd();
          break;
        case 'eager-end-of-turn':
          turnEnd.serviceEnding(e.text);
          break;
        case 'turn-resumed':
          turnEnd.serviceResumed();
          break;
        case 'end-of-turn':
          turnEnd.serviceEnded(e.text);
          break;
        case 'reconnecting':
          line.log.warn({ attempt: e.attempt, code: e.code }, 'speech-to-text socket lost; reconnecting');
          if (e.attempt === 1 && e.code === STT_SILENT_SOCKET_CODE) {
            line.observer.providerError('stt', 'silent_socket');
            line.observer.recovery?.('stt', 'silent_socket');
          }
          send({ type: 'STT.RECONNECTING', attempt: e.attempt });
          break;
        case 'reconnected':
          // Caller audio the lost socket never finalised was sent again: no words lost.
          if (e.replayedMs > 0) line.observer.recovery?.('stt', 'replayed');
          send({ type: 'STT.RECONNECTED' });
          break;
        case 'error':
          line.observer.providerError('stt', e.fatal ? 'fatal' : 'error');
          line.log.error({ err: e.error, fatal: e.fatal }, 'speech-to-text error');
          if (e.fatal) send({ type: 'STT.FAILED', reason: e.error.message });
          break;
        default:
          break;
      }
    };

    const { format } = line;
    deps.stt
      .open(
        {
          ...deps.options,
          encoding: format.encoding === 'mulaw' ? 'mulaw' : 'linear16',
          sampleRate: format.sampleRate === 16000 ? 16000 : 8000,
          language: deps.language === 'auto' ? STT_LANGUAGE[input.language] : deps.language,
        },
        onEvent,
        line.log,
      )
      .then(
        (opened) => {
          session = opened;
          if (stopped) line.closing.push(opened.close());
          else callerAudio.attach(opened);
        },
        (err: unknown) => {
          if (stopped) return;
          line.observer.providerError('stt', 'connect');
          line.log.error({ err }, 'speech-to-text unavailable; handing the call to a person');
          send({ type: 'STT.FAILED', reason: String((err as Error)?.message ?? err) });
        },
      );

    receive(() => session?.finalize());
    return () => {
      stopped = true;
      callerAudio.detach();
      callerAudio.onVoice = undefined;
      if (session) line.closing.push(session.close());
    };
  });
}

function agentAudible(line: CallLine): boolean {
  return line.transport.recentOutputRms(250) > 0 || line.transport.queuedMs() > 0;
}

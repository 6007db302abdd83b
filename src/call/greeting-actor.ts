import { fromCallback } from 'xstate';
import type { CallEvent, GreetingInput } from '../../machines/call.types.js';
import { greetingText } from '../../machines/phrases.js';
import type { CallStore } from '../store/types.js';
import type { CallLine, Speaker } from './call-line.js';
import type { GreetingCache } from './greeting.js';
import { DEFAULT_TTS_WATCHDOGS, ReplyVoice } from './reply-voice.js';

export interface GreetingActorDeps {
  line: CallLine;
  greetings: GreetingCache;
  store: CallStore;
}

/**
 * The `greeting` child, invoked by the chart's `greeting` state: plays the cached clip at once, or on a
 * cache miss streams it from the TTS (first audio after one round trip) and keeps the whole clip for
 * the next caller. Reports `PLAYOUT.DONE` once it has played, `GREETING.FAILED` if it cannot be
 * voiced. Stopping it (barge-in, deadline) cancels the synthesis.
 */
export function greetingActor(deps: GreetingActorDeps) {
  const { line } = deps;
  return fromCallback<CallEvent, GreetingInput>(({ input, sendBack }) => {
    const send = (e: CallEvent) => sendBack(e);
    const text = greetingText(input.facts, input.language);
    const voiceOf = line.voice(input.language, 'greet');
    let stopped = false;
    let started = false;
    let complete = false;
    let voice: ReplyVoice | undefined;

    const speaker: Speaker = {
      heard: () => '',
      onPlayoutDrained: () => {
        if (!stopped && started && complete && line.transport.queuedMs() === 0)
          send({ type: 'PLAYOUT.DONE' });
      },
    };
    const fail = (err: unknown, msg: string) => {
      if (stopped) return;
      line.log.error({ err }, msg);
      send({ type: 'GREETING.FAILED', reason: String((err as Error)?.message ?? err) });
    };
    const start = () => {
      started = true;
      line.speaker = speaker;
      recordAnswer(deps, text);
    };

    const key = {
      tenantId: line.tenantId,
      companyName: input.facts.companyName,
      language: input.language,
      timeOfDay: input.facts.timeOfDay,
      format: `${line.format.encoding}/${line.format.sampleRate}/${voiceOf.voiceId}`,
    };
    const cached = deps.greetings.get(key);
    if (cached) {
      complete = true;
      start();
      line.transport.play(cached);
    } else {
      // Streamed on a cache miss, with the replies' watchdogs and one retry on a fresh context.
      const parts: Buffer[] = [];
      voice = new ReplyVoice(
        line,
        voiceOf,
        { text: '', audioMs: 0 },
        DEFAULT_TTS_WATCHDOGS,
        () => undefined,
        {
          audio: (audio) => {
            if (stopped) return;
            parts.push(audio);
            if (!started) start();
            line.transport.play(audio);
          },
          done: () => {
            if (stopped) return;
            complete = true;
            // A greeting said again after a fault is not kept: the next caller gets a clean one.
            if (!voice?.recovered) deps.greetings.set(key, Buffer.concat(parts));
            speaker.onPlayoutDrained();
          },
          replaced: () => {},
          failed: (err) => fail(err, 'greeting could not be synthesised; listening instead'),
        },
        line.log,
      );
      voice.push(text);
      voice.finish();
    }

    return () => {
      stopped = true;
      if (!complete) voice?.cancel();
      if (line.speaker === speaker) line.speaker = undefined;
    };
  });
}

/** The greeting is turn 0: no caller words and no provider round trip, only answer-to-first-audio. */
function recordAnswer({ line, store }: GreetingActorDeps, text: string): void {
  const answeredMs = line.now() - line.connectedAt;
  line.stats.answeredMs = answeredMs;
  store
    .addTurn({
      callId: line.callId,
      index: 0,
      step: 'greet',
      callerText: '',
      agentText: text,
      bargeIn: false,
      sttFinalMs: null,
      llmTtftMs: null,
      ttsTtfbMs: null,
      mouthToEarMs: null,
      bargeInStopMs: null,
      llmProvider: null,
      llmRounds: 0,
      llmRequests: 0,
      speculative: false,
      at: Date.now(),
    })
    .catch((err: unknown) => line.log.error({ err }, 'could not store the greeting turn'));
  line.observer.answered(line.tenantId, answeredMs);
  line.log.info({ answerToFirstAudioMs: Math.round(answeredMs) }, 'greeting playing');
}

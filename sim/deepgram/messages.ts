import { SIM_MODEL_UUID, TRANSACTION_KEY } from './protocol.js';
import { type LineWord, roundSec, type TimedWord, transcriptOf } from './words.js';

/** What every server message of one stream shares. */
export interface StreamContext {
  requestId: string;
  model: string;
  channels: number;
  /** Add `punctuated_word` and use the written form of the line (docs/protocols/deepgram-live.md §4a). */
  punctuated: boolean;
  /** `language=multi`: add `languages` / `words[].language` (§2a). */
  multilingual: boolean;
}

export interface ResultsSpec {
  start: number;
  duration: number;
  isFinal: boolean;
  speechFinal: boolean;
  fromFinalize: boolean;
  words: readonly TimedWord[];
  /** ISO 639-1 code of the line, reported only for multilingual streams. */
  language: string;
}

function channelPair(ctx: StreamContext): [number, number] {
  return [0, ctx.channels];
}

/** Deterministic, plausible confidence so runs are reproducible. */
function confidenceOf(word: LineWord): number {
  return roundSec(0.9 + (word.word.length % 9) / 100);
}

/** §4a */
export function resultsMessage(ctx: StreamContext, spec: ResultsSpec): Record<string, unknown> {
  const words = spec.words.map((w) => ({
    word: w.word,
    start: w.start,
    end: w.end,
    confidence: confidenceOf(w),
    ...(ctx.punctuated ? { punctuated_word: w.punctuated } : {}),
    ...(ctx.multilingual ? { language: spec.language } : {}),
  }));
  const confidence = words.length ? roundSec(words.reduce((a, w) => a + w.confidence, 0) / words.length) : 0;
  return {
    type: 'Results',
    channel_index: channelPair(ctx),
    start: roundSec(spec.start),
    duration: roundSec(spec.duration),
    is_final: spec.isFinal,
    speech_final: spec.speechFinal,
    from_finalize: spec.fromFinalize,
    channel: {
      alternatives: [
        {
          transcript: transcriptOf(spec.words, ctx.punctuated),
          confidence,
          words,
          ...(ctx.multilingual ? { languages: words.length ? [spec.language] : [] } : {}),
        },
      ],
    },
    metadata: {
      request_id: ctx.requestId,
      model_uuid: SIM_MODEL_UUID,
      model_info: {
        name: `general-${ctx.model}`,
        version: 'sim',
        arch: ctx.model.split('-').slice(0, 2).join('-'),
      },
    },
  };
}

/** §4c */
export function speechStartedMessage(ctx: StreamContext, timestamp: number): Record<string, unknown> {
  return { type: 'SpeechStarted', channel: channelPair(ctx), timestamp: roundSec(timestamp) };
}

/** §4d */
export function utteranceEndMessage(ctx: StreamContext, lastWordEnd: number): Record<string, unknown> {
  return { type: 'UtteranceEnd', channel: channelPair(ctx), last_word_end: roundSec(lastWordEnd) };
}

export interface MetadataSpec {
  sha256: string;
  created: Date;
  durationSec: number;
  receivedAudio: boolean;
}

/** §4b: once, after CloseStream, just before the normal close. `channels` is 0 when no audio arrived. */
export function metadataMessage(ctx: StreamContext, spec: MetadataSpec): Record<string, unknown> {
  return {
    type: 'Metadata',
    transaction_key: TRANSACTION_KEY,
    request_id: ctx.requestId,
    sha256: spec.sha256,
    created: spec.created.toISOString(),
    duration: roundSec(spec.durationSec),
    channels: spec.receivedAudio ? ctx.channels : 0,
  };
}

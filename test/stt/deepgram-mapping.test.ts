import { describe, expect, it } from 'vitest';
import { parseServerMessage, toSttEvent } from '../../src/providers/stt/deepgram-messages.js';
import { toListenV1Query } from '../../src/providers/stt/deepgram-query.js';
import { PHONE_STT_OPTIONS } from './helpers.js';

/** Section marks (§) refer to docs/protocols/deepgram-live.md. */

describe('SttOptions -> /v1/listen query', () => {
  it('maps every option, flags as "true"/"false" strings, keyterms repeated', () => {
    expect(
      toListenV1Query({
        ...PHONE_STT_OPTIONS,
        encoding: 'mulaw',
        keyterms: ['Acme plumbing', ' ', 'boiler'],
      }),
    ).toEqual({
      model: 'nova-3',
      language: 'en-GB',
      encoding: 'mulaw',
      sample_rate: 8000,
      channels: 1,
      interim_results: 'true',
      endpointing: 300,
      utterance_end_ms: 1000,
      vad_events: 'true',
      smart_format: 'true',
      punctuate: 'true',
      keyterm: ['Acme plumbing', 'boiler'],
    });
  });

  it('asks for interims whenever UtteranceEnd is on (§2a), disables endpointing at 0, omits empty lists', () => {
    const q = toListenV1Query({
      ...PHONE_STT_OPTIONS,
      interimResults: false,
      endpointingMs: 0,
      keyterms: [],
    });
    expect(q.interim_results).toBe('true');
    expect(q.endpointing).toBe('false');
    expect('keyterm' in q).toBe(false);
    const noUe = toListenV1Query({ ...PHONE_STT_OPTIONS, interimResults: false, utteranceEndMs: 0 });
    expect(noUe.interim_results).toBe('false');
    expect('utterance_end_ms' in noUe).toBe(false);
  });
});

describe('server message -> SttEvent', () => {
  const results = (over: Record<string, unknown>) => ({
    type: 'Results',
    channel_index: [0, 1],
    start: 1.5,
    duration: 0.75,
    is_final: true,
    speech_final: true,
    channel: { alternatives: [{ transcript: 'yes please', confidence: 0.9, words: [] }] },
    metadata: {},
    ...over,
  });
  const map = (raw: unknown, offsetSec = 0, interims = true) => {
    const parsed = parseServerMessage(raw);
    if (!parsed.ok) throw new Error(parsed.reason);
    return toSttEvent(parsed.message, { offsetSec, interims });
  };

  it('maps finals with the socket time shifted onto the session timeline', () => {
    expect(map(results({}), 10)).toEqual({
      type: 'final',
      text: 'yes please',
      speechFinal: true,
      fromFinalize: false,
      startSec: 11.5,
      durationSec: 0.75,
    });
    expect(map(results({ from_finalize: true, speech_final: false }))).toMatchObject({
      fromFinalize: true,
      speechFinal: false,
    });
  });

  it('maps interims unless unwanted or empty, and the VAD events', () => {
    expect(map(results({ is_final: false }))).toEqual({ type: 'interim', text: 'yes please' });
    expect(map(results({ is_final: false }), 0, false)).toBeUndefined();
    expect(
      map(results({ is_final: false, channel: { alternatives: [{ transcript: '' }] } })),
    ).toBeUndefined();
    expect(map({ type: 'SpeechStarted', channel: [0, 1], timestamp: 2 }, 1)).toEqual({
      type: 'speech-started',
      audioSec: 3,
    });
    expect(map({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: 4 })).toEqual({
      type: 'utterance-end',
      lastWordEndSec: 4,
    });
    expect(map({ type: 'Metadata', request_id: 'r', sha256: 'x', duration: 1 })).toBeUndefined();
  });

  it.each([
    ['not json'],
    [null],
    [42],
    [{ type: 'Results' }],
    [{ type: 'Nope' }],
    [{ type: 'SpeechStarted', timestamp: 'x' }],
  ])('rejects %j without throwing', (raw) => {
    expect(parseServerMessage(raw).ok).toBe(false);
  });
});

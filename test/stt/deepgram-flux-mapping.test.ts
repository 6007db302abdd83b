import { describe, expect, it } from 'vitest';
import { isFluxModel, toListenV2Query } from '../../src/providers/stt/deepgram-flux-dialect.js';
import { fluxToSttEvents, parseFluxMessage } from '../../src/providers/stt/deepgram-flux-messages.js';
import { PHONE_STT_OPTIONS } from './helpers.js';

const turnInfo = (event: string, extra: Record<string, unknown> = {}) => ({
  type: 'TurnInfo',
  request_id: 'r',
  sequence_id: 3,
  event,
  turn_index: 0,
  audio_window_start: 1.5,
  audio_window_end: 2.5,
  transcript: 'Yes please.',
  words: [{ word: 'Yes', confidence: 0.9, start: 1.62, end: 1.9 }],
  end_of_turn_confidence: 0.81,
  ...extra,
});

const events = (raw: unknown, interims = true) => {
  const parsed = parseFluxMessage(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return fluxToSttEvents(parsed.message, { offsetSec: 10, interims });
};

describe('Flux adapter mapping', () => {
  it('selects /v2/listen for Flux models only', () => {
    expect(isFluxModel('flux-general-en')).toBe(true);
    expect(isFluxModel('flux-general-multi')).toBe(true);
    expect(isFluxModel('nova-3')).toBe(false);
  });

  it('builds the v2 query: thresholds, key terms, a language hint only for the multilingual model', () => {
    const base = { ...PHONE_STT_OPTIONS, model: 'flux-general-en' };
    expect(
      toListenV2Query({ ...base, flux: { eagerEotThreshold: 0.4, eotThreshold: 0.8, eotTimeoutMs: 3000 } }),
    ).toEqual({
      model: 'flux-general-en',
      encoding: 'linear16',
      sample_rate: 8000,
      eager_eot_threshold: 0.4,
      eot_threshold: 0.8,
      eot_timeout_ms: 3000,
      keyterm: ['Acme plumbing', 'postcode'],
    });
    expect(toListenV2Query({ ...base, flux: { eotThreshold: 0.7, eotTimeoutMs: 5000 } })).not.toHaveProperty(
      'eager_eot_threshold',
    );
    expect(toListenV2Query({ ...base, model: 'flux-general-multi', language: 'es' }).language_hint).toEqual([
      'es',
    ]);
    expect(toListenV2Query({ ...base, model: 'flux-general-multi', language: 'multi' })).not.toHaveProperty(
      'language_hint',
    );
  });

  it('maps TurnInfo events onto the product events', () => {
    expect(events(turnInfo('StartOfTurn'))).toEqual([
      { type: 'turn-started' },
      { type: 'speech-started', audioSec: expect.closeTo(11.62, 6) },
    ]);
    expect(events(turnInfo('Update'))).toEqual([{ type: 'interim', text: 'Yes please.' }]);
    expect(events(turnInfo('Update'), false)).toEqual([]);
    expect(events(turnInfo('Update', { transcript: '' }))).toEqual([]);
    expect(events(turnInfo('EagerEndOfTurn'))).toEqual([
      { type: 'eager-end-of-turn', text: 'Yes please.', confidence: 0.81 },
    ]);
    expect(events(turnInfo('TurnResumed'))).toEqual([{ type: 'turn-resumed' }]);
    expect(events(turnInfo('EndOfTurn', { trigger: 'model' }))).toEqual([
      { type: 'end-of-turn', text: 'Yes please.', confidence: 0.81 },
    ]);
    // Open enums: an event the adapter does not know is ignored, not an error.
    expect(events(turnInfo('SomethingNew'))).toEqual([]);
    expect(events({ type: 'Connected', request_id: 'r', sequence_id: 0 })).toEqual([]);
  });

  it('a Flux Error is a non-fatal error event (the close after it is redialled); junk is refused', () => {
    const [e] = events({ type: 'Error', sequence_id: 9, code: 'INTERNAL_SERVER_ERROR', description: 'boom' });
    expect(e).toMatchObject({ type: 'error', fatal: false });
    expect(e?.type === 'error' && e.error.message).toMatch(/INTERNAL_SERVER_ERROR: boom/);
    expect(parseFluxMessage({ type: 'TurnInfo', event: 'Update' }).ok).toBe(false);
    expect(parseFluxMessage('not json').ok).toBe(false);
  });
});

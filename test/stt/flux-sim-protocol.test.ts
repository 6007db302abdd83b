import { afterEach, describe, expect, it } from 'vitest';
import { fixtureClip } from '../../sim/caller/caller.js';
import { lineAudio } from '../../sim/caller/line-audio.js';
import type { CallerLine } from '../../sim/caller/script.js';
import { type DeepgramSim, startDeepgramSim } from '../../sim/deepgram/index.js';
import { VOICED_RMS } from '../../src/audio/energy.js';
import { type RawServerMessage, RawStream, refusedUpgrade, scriptLines, silenceS16 } from './helpers.js';

const booking = scriptLines('booking-en.json');
const pause = scriptLines('pause-en.json');
const FLUX = 'model=flux-general-en&encoding=linear16&sample_rate=8000';
let sim: DeepgramSim | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const audioOf = (line: CallerLine) => lineAudio(line, (l) => fixtureClip(l), 8000, VOICED_RMS).pcm;

/** Streams the lines with `gapMs` of silence after each, then CloseStream; returns every message. */
async function flux(script: CallerLine[], query: string, gapMs = 2500, extra?: (s: RawStream) => void) {
  sim ??= await startDeepgramSim({ script, env: {} });
  const stream = await RawStream.open(sim.url, query, {}, '/v2/listen');
  stream.sendAudio(Buffer.concat(script.flatMap((l) => [silenceS16(300), audioOf(l), silenceS16(gapMs)])));
  extra?.(stream);
  stream.sendJson({ type: 'CloseStream' });
  await stream.closed();
  return stream;
}

const turnInfos = (s: RawStream) => s.ofType('TurnInfo');
const events = (s: RawStream) => turnInfos(s).filter((m) => m.event !== 'Update');
const named = (s: RawStream, event: string) => turnInfos(s).filter((m) => m.event === event);

describe('Deepgram simulator, Flux (/v2/listen): turns derived from the audio', () => {
  it('Connected first, then sequence ids 0, 1, 2, … across every message', async () => {
    const stream = await flux(booking.slice(0, 1), FLUX);
    expect(stream.messages[0]).toMatchObject({ type: 'Connected', sequence_id: 0 });
    expect(stream.messages.map((m) => m.sequence_id)).toEqual(stream.messages.map((_, i) => i));
  });

  it('one turn per sentence: StartOfTurn, Updates, EndOfTurn with the line, turn_index counting up', async () => {
    const lines = booking.filter((l) => l.bargeInAfterMs === undefined).slice(0, 3);
    const stream = await flux(lines, FLUX);
    expect(events(stream).map((m) => m.event)).toEqual(lines.flatMap(() => ['StartOfTurn', 'EndOfTurn']));
    const ends = named(stream, 'EndOfTurn');
    expect(ends.map((m) => m.transcript)).toEqual(lines.map((l) => l.text));
    expect(ends.map((m) => m.turn_index)).toEqual([0, 1, 2]);
    expect(ends.every((m) => m.trigger === 'model' && (m.end_of_turn_confidence as number) >= 0.7)).toBe(
      true,
    );
    // No EagerEndOfTurn unless eager_eot_threshold is set (§2b).
    expect(named(stream, 'EagerEndOfTurn')).toEqual([]);
    // Updates grow the transcript while the caller speaks; words carry audio times inside the window.
    const updates = named(stream, 'Update').filter((m) => m.turn_index === 0 && m.transcript !== '');
    expect(updates.length).toBeGreaterThan(2);
    for (let i = 1; i < updates.length; i++)
      expect(lines[0]!.text.startsWith(updates[i]!.transcript as string)).toBe(true);
    const end = ends[0]!;
    const words = end.words as { word: string; start: number; end: number }[];
    expect(words.map((w) => w.word).join(' ')).toBe(end.transcript);
    expect(words[0]!.start).toBeGreaterThanOrEqual(end.audio_window_start as number);
    expect(words.at(-1)!.end).toBeLessThanOrEqual(end.audio_window_end as number);
  });

  it('with eager_eot_threshold, EagerEndOfTurn comes first and EndOfTurn repeats its transcript', async () => {
    const stream = await flux(booking.slice(0, 1), `${FLUX}&eager_eot_threshold=0.4`);
    expect(events(stream).map((m) => m.event)).toEqual(['StartOfTurn', 'EagerEndOfTurn', 'EndOfTurn']);
    const [eager, end] = [named(stream, 'EagerEndOfTurn')[0]!, named(stream, 'EndOfTurn')[0]!];
    expect(eager.transcript).toBe(end.transcript);
    expect(eager.end_of_turn_confidence as number).toBeGreaterThanOrEqual(0.4);
    expect(eager.end_of_turn_confidence as number).toBeLessThan(end.end_of_turn_confidence as number);
    expect(eager.audio_window_end as number).toBeLessThan(end.audio_window_end as number);
  });

  it('a mid-sentence pause is not an end of turn: one turn, the whole sentence', async () => {
    const stream = await flux(pause.slice(0, 1), `${FLUX}&eager_eot_threshold=0.5`);
    expect(events(stream).map((m) => m.event)).toEqual(['StartOfTurn', 'EagerEndOfTurn', 'EndOfTurn']);
    expect(named(stream, 'EndOfTurn')[0]!.transcript).toBe(pause[0]!.text);
  });

  for (const name of ['pause-en.json', 'pause-es.json', 'booking-es.json']) {
    it(`${name}: one turn per line, each with the whole line, at the default thresholds`, async () => {
      const lines = scriptLines(name);
      const stream = await flux(lines, `${FLUX}&eager_eot_threshold=0.5`);
      const ends = named(stream, 'EndOfTurn');
      expect(ends.map((m) => m.transcript)).toEqual(lines.map((l) => l.text));
      expect(ends.every((m) => m.trigger === 'model')).toBe(true);
      expect(named(stream, 'StartOfTurn')).toHaveLength(lines.length);
    });
  }

  it('a low eager threshold fires in the pause; the speech after it is TurnResumed', async () => {
    const line = pause[0]!; // "Hi, my boiler has, um," 600 ms "stopped working."
    const stream = await flux([line], `${FLUX}&eager_eot_threshold=0.3`);
    expect(events(stream).map((m) => m.event)).toEqual([
      'StartOfTurn',
      'EagerEndOfTurn',
      'TurnResumed',
      'EagerEndOfTurn',
      'EndOfTurn',
    ]);
    const eagers = named(stream, 'EagerEndOfTurn');
    expect(eagers[0]!.transcript).toBe(line.parts![0]!.text);
    expect(eagers[1]!.transcript).toBe(line.text);
    expect(named(stream, 'EndOfTurn')[0]!.transcript).toBe(line.text);
    // The whole turn is one turn_index.
    expect(new Set(turnInfos(stream).map((m) => m.turn_index))).toEqual(new Set([0]));
  });

  it('text that stops mid-sentence waits for eot_timeout_ms (trigger timeout)', async () => {
    const unfinished: CallerLine[] = [{ text: "It's, um," }];
    const stream = await flux(unfinished, `${FLUX}&eot_timeout_ms=900`, 1500);
    const [end] = named(stream, 'EndOfTurn');
    expect(end).toMatchObject({ transcript: "It's, um,", trigger: 'timeout' });
    expect(end!.end_of_turn_confidence as number).toBeLessThan(0.7);
  });

  it('ForceEndTurn ends the turn now (trigger manual); CloseStream sends an Update and no EndOfTurn', async () => {
    sim = await startDeepgramSim({ script: booking, env: {} });
    const stream = await RawStream.open(sim.url, FLUX, {}, '/v2/listen');
    const clip = fixtureClip(booking[0]!);
    stream.sendAudio(Buffer.concat([silenceS16(200), clip.subarray(0, 16000)]));
    stream.sendJson({ type: 'ForceEndTurn' });
    stream.sendAudio(Buffer.concat([silenceS16(300), fixtureClip(booking[2]!).subarray(0, 12000)]));
    stream.sendJson({ type: 'CloseStream' });
    await stream.closed();
    const ev = events(stream);
    expect(ev.map((m) => m.event)).toEqual(['StartOfTurn', 'EndOfTurn', 'StartOfTurn']);
    expect(ev[1]).toMatchObject({ trigger: 'manual', transcript: booking[0]!.text, turn_index: 0 });
    expect(turnInfos(stream).at(-1)).toMatchObject({ event: 'Update', turn_index: 1 });
    expect(stream.closeCode).toBe(1005);
  });

  it('Configure answers ConfigureSuccess with the active thresholds, or ConfigureFailure', async () => {
    sim = await startDeepgramSim({ script: booking, env: {} });
    const stream = await RawStream.open(sim.url, `${FLUX}&eager_eot_threshold=0.4`, {}, '/v2/listen');
    stream.sendJson({ type: 'Configure', thresholds: { eot_threshold: 0.85 }, keyterms: ['NN15'] });
    stream.sendJson({ type: 'Configure', thresholds: { eot_threshold: 3 } });
    stream.sendJson({ type: 'CloseStream' });
    await stream.closed();
    const replies = stream.messages.filter((m: RawServerMessage) => m.type.startsWith('Configure'));
    expect(replies[0]).toMatchObject({
      type: 'ConfigureSuccess',
      thresholds: { eager_eot_threshold: 0.4, eot_threshold: 0.85, eot_timeout_ms: 5000 },
      keyterms: ['NN15'],
    });
    expect(replies[1]).toMatchObject({ type: 'ConfigureFailure' });
  });

  it('an unreadable client message is a fatal Error', async () => {
    sim = await startDeepgramSim({ script: booking, env: {} });
    const stream = await RawStream.open(sim.url, FLUX, {}, '/v2/listen');
    stream.sendJson({ type: 'KeepAlive' });
    await stream.closed();
    expect(stream.ofType('Error')[0]).toMatchObject({ code: 'UNPARSABLE_CLIENT_MESSAGE' });
    expect(stream.closeCode).toBe(1008);
  });

  it('refuses a bad v2 query at the handshake', async () => {
    sim = await startDeepgramSim({ script: booking, env: {} });
    const auth = { authorization: 'Token k' };
    for (const q of [
      'model=nova-3&encoding=linear16&sample_rate=8000',
      `${FLUX}&eager_eot_threshold=0.1`,
      `${FLUX}&eot_threshold=abc`,
      `${FLUX}&eot_timeout_ms=100`,
      'model=flux-general-en&encoding=linear16&sample_rate=11025',
    ]) {
      const r = await refusedUpgrade(`${sim.url}/v2/listen?${q}`, auth);
      expect(r.status).toBe(400);
      expect(r.body.err_code).toBe('INVALID_QUERY_PARAMETER');
    }
  });
});

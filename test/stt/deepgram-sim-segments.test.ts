import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRIPT_DIR } from '../../sim/caller/script.js';
import { type DeepgramSim, startDeepgramSim } from '../../sim/deepgram/index.js';
import { clipOf, RawStream, scriptLines, silenceS16, toEncoding, toneS16 } from './helpers.js';

const script = scriptLines('booking-en.json');
const QUERY =
  'model=nova-3&encoding=linear16&sample_rate=8000&interim_results=true&vad_events=true&smart_format=true';
let sim: DeepgramSim | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function transcribe(audio: Buffer, query: string, frameBytes = 320): Promise<RawStream> {
  sim ??= await startDeepgramSim({ script, env: {} });
  const stream = await RawStream.open(sim.url, query);
  stream.sendAudio(audio, frameBytes);
  stream.sendJson({ type: 'CloseStream' });
  await stream.closed();
  return stream;
}

describe('Deepgram simulator: segments come from the audio it receives', () => {
  it('finds one segment per clip separated by silence, mapped to lines 1..N in order', async () => {
    const clips = script.slice(0, 3).map(clipOf);
    const audio = Buffer.concat(clips.flatMap((c) => [silenceS16(400), c, silenceS16(900)]));
    const stream = await transcribe(audio, `${QUERY}&endpointing=300`);

    const spoken = stream.finals().filter((f) => f.transcript !== '');
    expect(spoken.map((f) => f.transcript)).toEqual(script.slice(0, 3).map((l) => l.text));
    expect(spoken.every((f) => f.speechFinal)).toBe(true);
    // Onsets follow the audio: each clip starts after 400 ms of silence (+ espeak's own lead-in, < 60 ms);
    // the endpointer works in 10 ms windows, so an onset may sit up to one window before the clip.
    let clipStart = 0;
    const onsets = stream.ofType('SpeechStarted').map((m) => m.timestamp as number);
    expect(onsets).toHaveLength(3);
    clips.forEach((clip, i) => {
      clipStart += 0.4;
      expect(onsets[i]).toBeGreaterThanOrEqual(clipStart - 0.01);
      expect(onsets[i]).toBeLessThan(clipStart + 0.1);
      clipStart += clip.length / 16_000 + 0.9;
    });
    // Finals tile the audio timeline (docs/protocols/deepgram-live.md §4a): next start = previous start +
    // duration.
    const finals = stream.finals();
    for (let i = 1; i < finals.length; i++) {
      expect(finals[i]!.start).toBeCloseTo(finals[i - 1]!.start + finals[i - 1]!.duration, 6);
    }
  });

  it('reports no segment for silence alone', async () => {
    const stream = await transcribe(silenceS16(6000), `${QUERY}&endpointing=300`);
    expect(stream.ofType('SpeechStarted')).toEqual([]);
    expect(stream.finals().filter((f) => f.transcript !== '')).toEqual([]);
    // §5 item 3: long silence still yields an empty final.
    expect(stream.finals().length).toBeGreaterThan(0);
    expect(sim!.stats().segments).toBe(0);
  });

  it('keeps two clips with a pause shorter than endpointing in one segment', async () => {
    const [a, b, c] = script.slice(0, 3).map(clipOf);
    // a + 100 ms + b: the whole gap (espeak's ~330 ms tail + 100 ms) is under endpointing=800.
    const audio = Buffer.concat([a!, silenceS16(100), b!, silenceS16(1500), c!, silenceS16(1500)]);
    const stream = await transcribe(audio, `${QUERY}&endpointing=800`);
    const spoken = stream.finals().filter((f) => f.transcript !== '');
    expect(spoken.map((f) => f.transcript)).toEqual([script[0]!.text, script[1]!.text]);
    expect(stream.ofType('SpeechStarted')).toHaveLength(2);
  });

  it('gives the same boundaries whatever the frame size, and for µ-law as for linear16', async () => {
    const audio = Buffer.concat([clipOf(script[3]!), silenceS16(700), clipOf(script[4]!), silenceS16(700)]);
    const boundaries = (s: RawStream) => s.finals().map((f) => [f.start, f.duration, f.speechFinal]);
    const base = await transcribe(audio, `${QUERY}&endpointing=300`);
    const odd = await transcribe(audio, `${QUERY}&endpointing=300`, 333); // splits samples across frames
    const mulaw = await transcribe(
      toEncoding(audio, 'mulaw'),
      `${QUERY.replace('linear16', 'mulaw')}&endpointing=300`,
      160,
    );
    expect(boundaries(base)).toHaveLength(2);
    expect(boundaries(odd)).toEqual(boundaries(base));
    expect(boundaries(mulaw)).toEqual(boundaries(base));
  });

  it('ignores a click shorter than min speech, and a tone is speech like any voice', async () => {
    const audio = Buffer.concat([
      silenceS16(300),
      toneS16(30),
      silenceS16(600),
      toneS16(400),
      silenceS16(600),
    ]);
    const stream = await transcribe(audio, `${QUERY}&endpointing=300`);
    const onsets = stream.ofType('SpeechStarted').map((m) => m.timestamp as number);
    expect(onsets).toHaveLength(1);
    expect(onsets[0]).toBeCloseTo(0.93, 2);
    expect(stream.finals().filter((f) => f.speechFinal)).toHaveLength(1);
  });

  it('with endpointing=false still closes segments, without speech_final', async () => {
    const audio = Buffer.concat([clipOf(script[0]!), silenceS16(1500)]);
    const stream = await transcribe(audio, `${QUERY}&endpointing=false`);
    const spoken = stream.finals().filter((f) => f.transcript !== '');
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.speechFinal).toBe(false);
  });

  it('sends interims that grow with the speech heard, each after SpeechStarted', async () => {
    const stream = await transcribe(
      Buffer.concat([clipOf(script[0]!), silenceS16(600)]),
      `${QUERY}&endpointing=300`,
    );
    const types = stream.messages.map((m) => m.type);
    expect(types.indexOf('SpeechStarted')).toBeLessThan(types.indexOf('Results'));
    const interims = stream
      .ofType('Results')
      .filter((m) => m.is_final === false)
      .map((m) => (m.channel as { alternatives: { transcript: string }[] }).alternatives[0]!.transcript);
    expect(interims.length).toBeGreaterThanOrEqual(3); // a 2.7 s utterance, one interim per 0.5 s
    for (let i = 1; i < interims.length; i++) {
      expect(interims[i]!.startsWith(interims[i - 1]!)).toBe(true);
      expect(interims[i]!.length).toBeGreaterThanOrEqual(interims[i - 1]!.length);
    }
  });
});

describe('Deepgram simulator: which script a stream follows', () => {
  const utterance = Buffer.concat([clipOf(script[0]!), silenceS16(600)]);
  const firstFinal = async (query = `${QUERY}&endpointing=300`): Promise<string | undefined> => {
    const stream = await RawStream.open(sim!.url, query);
    stream.sendAudio(utterance);
    stream.sendJson({ type: 'CloseStream' });
    await stream.closed();
    return stream.finals().find((f) => f.transcript !== '')?.transcript;
  };

  it('reads the default script and knobs from the environment when not given', async () => {
    const path = fileURLToPath(new URL('objections-en.json', SCRIPT_DIR));
    sim = await startDeepgramSim({
      env: { SIM_CALLER_SCRIPT: path, SIM_DEEPGRAM_UNSCRIPTED_TEXT: 'ignored' },
    });
    expect(await firstFinal()).toBe(scriptLines('objections-en.json')[0]!.text);
  });

  it('setScript() applies to later streams; scriptFor() picks per stream from its tag', async () => {
    const spanish = scriptLines('booking-es.json');
    sim = await startDeepgramSim({
      script,
      env: {},
      scriptFor: ({ tags }) => (tags.includes('es') ? spanish : undefined),
    });
    expect(await firstFinal()).toBe(script[0]!.text);
    expect(await firstFinal(`${QUERY}&endpointing=300&tag=es`)).toBe(spanish[0]!.text);
    sim.setScript(['Something else entirely.']);
    expect(await firstFinal()).toBe('Something else entirely.');
  });

  it('returns the unscripted text once the script has run out', async () => {
    sim = await startDeepgramSim({ script: ['Only line.'], unscriptedText: '[inaudible]', env: {} });
    const stream = await RawStream.open(sim.url, `${QUERY}&endpointing=300`);
    stream.sendAudio(Buffer.concat([utterance, utterance]));
    stream.sendJson({ type: 'CloseStream' });
    await stream.closed();
    expect(
      stream
        .finals()
        .filter((f) => f.speechFinal)
        .map((f) => f.transcript),
    ).toEqual(['Only line.', '[inaudible]']);
  });
});

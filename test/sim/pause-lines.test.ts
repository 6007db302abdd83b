import { afterEach, describe, expect, it } from 'vitest';
import { agentOnsets, answersBetween, pausesAnswered } from '../../sim/caller/answers.js';
import { fixtureClip } from '../../sim/caller/caller.js';
import { lineAudio } from '../../sim/caller/line-audio.js';
import { parseCallerScript, recognitionUnits } from '../../sim/caller/script.js';
import { type DeepgramSim, startDeepgramSim } from '../../sim/deepgram/index.js';
import { VOICED_RMS } from '../../src/audio/energy.js';
import { RawStream, scriptLines, silenceS16 } from '../stt/helpers.js';

let sim: DeepgramSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** ms of silence (20 ms frames at or below VOICED_RMS) between voiced stretches, in order. */
function voiceGapsMs(pcm: Buffer): number[] {
  const gaps: number[] = [];
  let run = 0;
  let voicedSeen = false;
  for (let i = 0; i + 320 <= pcm.length; i += 320) {
    let sum = 0;
    for (let j = i; j < i + 320; j += 2) sum += pcm.readInt16LE(j) ** 2;
    const voiced = Math.sqrt(sum / 160) > VOICED_RMS;
    if (voiced) {
      if (voicedSeen && run > 0) gaps.push(run * 20);
      voicedSeen = true;
      run = 0;
    } else if (voicedSeen) run++;
  }
  return gaps;
}

describe('caller lines said in parts, with a pause in the middle', () => {
  it('the script format keeps parts and text in step', () => {
    const [line] = parseCallerScript([
      { text: 'It is, um, here.', parts: ['It is, um,', 'here.'], midPauseMs: 500 },
    ]);
    expect(line?.parts?.map((p) => p.text)).toEqual(['It is, um,', 'here.']);
    expect(() => parseCallerScript([{ text: 'a b', parts: ['a', 'c'], midPauseMs: 500 }])).toThrow(/joined/);
    expect(() => parseCallerScript([{ text: 'a b', parts: ['a', 'b'] }])).toThrow(/midPauseMs/);
    expect(() => parseCallerScript([{ text: 'a b', parts: ['a', 'b'], midPauseMs: -1 }])).toThrow();
  });

  it('the recogniser hears one unit per part, with the line language', () => {
    const units = recognitionUnits(scriptLines('pause-es.json'));
    expect(units[0]).toEqual({ text: 'Hola, tengo una fuga de agua, eh,', lang: 'es' });
    expect(units[2]).toMatchObject({ text: 'Sí, adelante.', lang: 'es' });
    expect(units.length).toBe(9);
  });

  for (const name of ['pause-en.json', 'pause-es.json']) {
    it(`${name}: the audio pauses exactly midPauseMs between the parts`, () => {
      for (const line of scriptLines(name).filter((l) => l.parts)) {
        const { pcm, pauses } = lineAudio(line, (l) => fixtureClip(l), 8000, VOICED_RMS);
        expect(pauses).toHaveLength(line.parts!.length - 1);
        for (const p of pauses) expect(p.endMs - p.startMs).toBe(line.midPauseMs);
        // The pause is the longest silence in the line: the parts' own pauses (commas) are shorter.
        const gaps = voiceGapsMs(pcm);
        expect(Math.max(...gaps)).toBe(line.midPauseMs);
        expect(gaps.filter((g) => g === line.midPauseMs)).toHaveLength(1);
      }
    });
  }

  it('the Deepgram simulator maps its Nth segment to the Nth part', async () => {
    const script = scriptLines('pause-en.json');
    sim = await startDeepgramSim({ script, env: {} });
    const stream = await RawStream.open(
      sim.url,
      'model=nova-3&encoding=linear16&sample_rate=8000&smart_format=true&endpointing=300',
    );
    const audio = script
      .slice(0, 3)
      .flatMap((line) => [lineAudio(line, (l) => fixtureClip(l), 8000, VOICED_RMS).pcm, silenceS16(1000)]);
    stream.sendAudio(Buffer.concat(audio), 320);
    stream.sendJson({ type: 'CloseStream' });
    await stream.closed();
    const spoken = stream.finals().filter((f) => f.transcript !== '');
    expect(spoken.map((f) => f.transcript)).toEqual([
      'Hi, my boiler has, um,',
      'stopped working.',
      'Yes please, go ahead.',
      "It's, um,",
      'NN15 6QP.',
    ]);
  });

  it('counts answers and answered pauses from the agent’s voiced frames', () => {
    // Agent frames every 20 ms in two bursts: 1000-1400 and 3000-3400.
    const burst = (from: number) => Array.from({ length: 20 }, (_, i) => from + i * 20);
    const onsets = agentOnsets([...burst(1000), ...burst(3000)]);
    expect(onsets).toEqual([1000, 3000]);
    expect(answersBetween(onsets, 0, 5000)).toBe(2);
    expect(answersBetween(onsets, 2000, 5000)).toBe(1);
    // A pause from 900 to the end of the line's voice at 2000: the agent started in it.
    expect(pausesAnswered(onsets, [{ startAt: 900 }], 2000)).toBe(1);
    // The agent started only after the sentence was over: no cut-off.
    expect(pausesAnswered(onsets, [{ startAt: 500 }], 800)).toBe(0);
  });
});

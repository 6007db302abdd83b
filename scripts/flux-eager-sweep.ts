/**
 * The Flux simulator's end-of-turn timing for a few eager thresholds, over every committed English
 * and Spanish booking and pause line (each followed by 2.5 s of silence), measured in audio time
 * from the end of the line's voice. STT only, no agent: what speculation can gain, and how often it
 * would be cancelled (TurnResumed), before the rest of the pipeline adds its own latency.
 *   npx tsx scripts/flux-eager-sweep.ts [0.3 0.4 0.5 …]
 */
import WebSocket from 'ws';
import { fixtureClip } from '../sim/caller/caller.js';
import { lineAudio } from '../sim/caller/line-audio.js';
import { type CallerLine, loadCallerScript, SCRIPT_DIR } from '../sim/caller/script.js';
import { startDeepgramSim } from '../sim/deepgram/index.js';
import { rmsS16le, VOICED_RMS } from '../src/audio/energy.js';

const SCRIPTS = ['booking-en', 'pause-en', 'booking-es', 'pause-es'];
const GAP_SEC = 2.5;
const LEAD_SEC = 0.3;
const thresholds = process.argv.slice(2).length ? process.argv.slice(2) : ['0.3', '0.4', '0.5', '0.6', '0.7'];

const lines: CallerLine[] = SCRIPTS.flatMap((name) =>
  loadCallerScript(new URL(`${name}.json`, SCRIPT_DIR).pathname),
);
const pauses = lines.reduce((n, l) => n + (l.parts ? l.parts.length - 1 : 0), 0);
const pieces: Buffer[] = [];
const voiceEnds: number[] = [];
let at = 0;
for (const line of lines) {
  const { pcm } = lineAudio(line, (l) => fixtureClip(l), 8000, VOICED_RMS);
  let lastVoiced = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160)
    if (rmsS16le(pcm, i, i + 160) > VOICED_RMS) lastVoiced = i + 160;
  voiceEnds.push(at + LEAD_SEC + lastVoiced / 16000);
  pieces.push(Buffer.alloc(LEAD_SEC * 16000), pcm, Buffer.alloc(GAP_SEC * 16000));
  at += LEAD_SEC + pcm.length / 16000 + GAP_SEC;
}
const audio = Buffer.concat(pieces);

type TurnInfo = { type: string; event?: string; transcript?: string; audio_window_end?: number };

async function turnInfos(eager: string): Promise<TurnInfo[]> {
  const sim = await startDeepgramSim({ script: lines, env: {} });
  try {
    const query = `model=flux-general-en&encoding=linear16&sample_rate=8000&eager_eot_threshold=${eager}`;
    const ws = new WebSocket(`${sim.url}/v2/listen?${query}`, { headers: { authorization: 'Token sweep' } });
    const messages: TurnInfo[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as TurnInfo));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    for (let i = 0; i < audio.length; i += 320) ws.send(audio.subarray(i, i + 320));
    ws.send(JSON.stringify({ type: 'CloseStream' }));
    await new Promise((resolve) => ws.once('close', resolve));
    return messages.filter((m) => m.type === 'TurnInfo' && m.event !== 'Update');
  } finally {
    await sim.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? null;
console.log(`${lines.length} lines, ${pauses} mid-sentence pauses; ms after the end of the line's voice`);
console.log(
  '| eager_eot_threshold | EagerEndOfTurn p50 | EndOfTurn p50 | TurnResumed | turns = lines, whole text |',
);
console.log('|---|---|---|---|---|');
for (const eager of thresholds) {
  const events = await turnInfos(eager);
  const ends = events.filter((e) => e.event === 'EndOfTurn');
  const eagerMs: number[] = [];
  const endMs: number[] = [];
  ends.forEach((end, i) => {
    const before = events[events.indexOf(end) - 1];
    const voiceEnd = voiceEnds[i] ?? 0;
    if (before?.event === 'EagerEndOfTurn') eagerMs.push(((before.audio_window_end ?? 0) - voiceEnd) * 1000);
    endMs.push(((end.audio_window_end ?? 0) - voiceEnd) * 1000);
  });
  const resumed = events.filter((e) => e.event === 'TurnResumed').length;
  const whole = ends.length === lines.length && ends.every((e, i) => e.transcript === lines[i]?.text);
  const ms = (x: number | null) => (x === null ? '–' : Math.round(x).toString());
  console.log(
    `| ${eager} | ${ms(median(eagerMs))} | ${ms(median(endMs))} | ${resumed} | ${whole ? 'yes' : 'no'} |`,
  );
}

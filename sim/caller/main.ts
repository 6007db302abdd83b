/**
 * `npm run caller`: one simulated call against a running callchart (npm start / npm run serve:sim),
 * placed like Asterisk: FastAGI registration with a DID and caller id, then AudioSocket in real time.
 *   npm run caller -- --port 9099 --agi-port 4573 --script fixtures/scripts/booking-en.json
 * Prints each turn's mouth-to-ear as measured on the wire; exit code 0 when every line was answered.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildWav, interleaveStereo } from '../../src/audio/wav.js';
import { runFakeAgiCall } from '../asterisk/fake-asterisk-agi.js';
import { runSimulatedCaller } from './caller.js';
import { loadCallerScript, SCRIPT_DIR } from './script.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9099' },
    'agi-port': { type: 'string', default: '4573' },
    'no-agi': { type: 'boolean', default: false },
    did: { type: 'string', default: '02012345678' },
    caller: { type: 'string', default: '+447700900123' },
    script: { type: 'string' },
    rate: { type: 'string', default: '8000' },
    record: { type: 'string' },
  },
});

const script = loadCallerScript(values.script ?? new URL('booking-en.json', SCRIPT_DIR).pathname);
let uuid: string | undefined;
if (!values['no-agi']) {
  const agi = await runFakeAgiCall({
    host: values.host,
    port: Number(values['agi-port']),
    script: 'voice-agent',
    args: [values.did, values.caller],
  });
  uuid = agi.variables.VA_UUID;
  if (!uuid) throw new Error(`FastAGI gave no VA_UUID (${agi.agiStatus})`);
}
const sampleRate = values.rate === '16000' ? 16000 : 8000;
const result = await runSimulatedCaller({
  host: values.host,
  port: Number(values.port),
  script,
  sampleRate,
  record: Boolean(values.record),
  ...(uuid ? { uuid } : {}),
});
console.log(
  `call ${result.uuid}: ${result.completed ? 'every line answered' : 'incomplete'} (${result.end.reason})`,
);
console.log(`answer to first audio: ${result.answerToFirstAudioMs?.toFixed(0) ?? '-'} ms`);
for (const t of result.turns) {
  const cutOff =
    t.pausesAnswered > 0 ? `  [answered ${t.pausesAnswered} of ${t.pauses} mid-sentence pauses]` : '';
  const twice = t.answers > 1 ? `  [${t.answers} answers]` : '';
  console.log(
    `  ${(t.mouthToEarMs?.toFixed(0) ?? '-').padStart(5)} ms  ${t.bargeIn ? '[barge-in] ' : ''}${t.line}${cutOff}${twice}`,
  );
}
console.log(`longest gap between frames: ${result.maxGapMs.toFixed(0)} ms`);
if (values.record) {
  writeFileSync(
    values.record,
    buildWav(interleaveStereo(result.callerAudio, result.agentAudio), { sampleRate, channels: 2 }),
  );
  console.log(`recording: ${values.record}`);
}
process.exit(result.completed ? 0 : 1);

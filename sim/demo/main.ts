/**
 * `npm run demo`: one full booking call on the embedded defaults (simulated providers, SQLite file
 * data/callchart.db), with one barge-in. Prints the transcript, a per-turn latency table and the
 * booking row as stored.
 *   npm run demo -- --json            the same as one JSON object on the last line
 *   npm run demo -- --record call.wav  stereo recording: caller left, agent right
 *   npm run demo -- --script fixtures/scripts/booking-es.json --caller +34600111222
 *   npm run demo -- --transport twilio [--tier free|pro|enterprise]   the call over Twilio (simulated)
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/log.js';
import { loadCallerScript, SCRIPT_DIR } from '../caller/script.js';
import { printReport } from './report.js';
import { runDemo } from './run-demo.js';
import { runTwilioDemo } from './run-twilio-demo.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    record: { type: 'string' },
    script: { type: 'string' },
    did: { type: 'string', default: '02012345678' },
    caller: { type: 'string', default: '+447700900123' },
    transport: { type: 'string', default: 'audiosocket' },
    tier: { type: 'string', default: 'enterprise' },
  },
});
if (values.transport !== 'audiosocket' && values.transport !== 'twilio') {
  console.error(`--transport must be audiosocket or twilio, got ${values.transport}`);
  process.exit(2);
}
const tier = values.tier;
if (tier !== 'free' && tier !== 'pro' && tier !== 'enterprise') {
  console.error(`--tier must be free, pro or enterprise, got ${tier}`);
  process.exit(2);
}

// Logs go to stderr at warn level so the report stays readable; LOG_LEVEL=info shows the call's life.
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
const script = loadCallerScript(values.script ?? new URL('booking-en.json', SCRIPT_DIR).pathname);
const result =
  values.transport === 'twilio'
    ? await runTwilioDemo({ script, tier, callerId: values.caller, log })
    : await runDemo({
        script,
        did: values.did,
        callerId: values.caller,
        log,
        ...(values.record ? { recordPath: values.record } : {}),
      });
if (values.json) {
  const { ok, turns, booking, calls, answerToFirstAudioMs, callId } = result;
  console.log(JSON.stringify({ ok, callId, answerToFirstAudioMs, turns, booking, calls }));
} else {
  printReport(result, values.record);
}
process.exit(result.ok ? 0 : 1);

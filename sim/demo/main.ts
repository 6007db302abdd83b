/**
 * `npm run demo`: one full booking call on the embedded defaults (simulated providers, SQLite file
 * data/callchart.db), with one barge-in. Prints the transcript, a per-turn latency table and the
 * booking row as stored.
 *   npm run demo -- --json            the same as one JSON object on the last line
 *   npm run demo -- --record call.wav  stereo recording: caller left, agent right
 *   npm run demo -- --script fixtures/scripts/booking-es.json --caller +34600111222
 *   npm run demo -- --script fixtures/scripts/transfer-en.json --expect transferred
 *   npm run demo -- --transport twilio [--tier free|pro|enterprise]   the call over Twilio (simulated)
 * The verdict (exit code 0) follows the script: every line answered and measured, and the call ended
 * as expected (`--expect`; a script named booking-*.json expects `booked`).
 */
import { basename } from 'node:path';
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
    expect: { type: 'string' },
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
const scriptPath = values.script ?? new URL('booking-en.json', SCRIPT_DIR).pathname;
const script = loadCallerScript(scriptPath);
const expectOutcome = values.expect ?? (basename(scriptPath).startsWith('booking') ? 'booked' : undefined);
const result =
  values.transport === 'twilio'
    ? await runTwilioDemo({
        script,
        tier,
        callerId: values.caller,
        log,
        ...(expectOutcome ? { expectOutcome } : {}),
      })
    : await runDemo({
        script,
        did: values.did,
        callerId: values.caller,
        log,
        ...(expectOutcome ? { expectOutcome } : {}),
        ...(values.record ? { recordPath: values.record } : {}),
      });
if (values.json) {
  const { ok, turns, booking, calls, answerToFirstAudioMs, callId } = result;
  console.log(JSON.stringify({ ok, callId, answerToFirstAudioMs, turns, booking, calls }));
} else {
  printReport(result, values.record);
}
process.exit(result.ok ? 0 : 1);

/**
 * `npm run demo`: one full booking call on the embedded defaults (simulated providers, SQLite file
 * data/callchart.db), with one barge-in. Prints the transcript, a per-turn latency table and the
 * booking row as stored.
 *   npm run demo -- --json            the same as one JSON object on the last line
 *   npm run demo -- --record call.wav  stereo recording: caller left, agent right
 *   npm run demo -- --script fixtures/scripts/booking-es.json --caller +34600111222
 *   npm run demo -- --profile typical  provider latencies like the real services (sim/profiles.ts)
 *   npm run demo -- --script fixtures/scripts/transfer-en.json --expect transferred
 *   npm run demo -- --transport twilio [--tier free|pro|enterprise]   the call over Twilio (simulated)
 * The verdict (exit code 0) follows the script: every line answered and measured, and the call ended
 * as expected (`--expect`; a script named booking-*.json expects `booked`).
 *   npm run demo -- --keep-open      the dashboard stays up after the call (Ctrl-C to stop)
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/log.js';
import { loadCallerScript, SCRIPT_DIR } from '../caller/script.js';
import { parseProfileName } from '../profiles.js';
import { printReport } from './report.js';
import { type DemoResult, runDemo } from './run-demo.js';
import { runTwilioDemo } from './run-twilio-demo.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    record: { type: 'string' },
    script: { type: 'string' },
    did: { type: 'string', default: '02012345678' },
    caller: { type: 'string', default: '+447700900123' },
    profile: { type: 'string' },
    expect: { type: 'string' },
    'keep-open': { type: 'boolean', default: false },
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
let dashboard: string | null = null;
const expectOutcome = values.expect ?? (basename(scriptPath).startsWith('booking') ? 'booked' : undefined);
const report = (r: DemoResult) => {
  if (values.json) {
    const { ok, profile, turns, booking, calls, answerToFirstAudioMs, callId } = r;
    console.log(JSON.stringify({ ok, profile, callId, answerToFirstAudioMs, turns, booking, calls }));
  } else {
    printReport(r, values.record);
  }
};
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
        ...(values.profile ? { profile: parseProfileName(values.profile, '--profile') } : {}),
        ...(expectOutcome ? { expectOutcome } : {}),
        ...(values.record ? { recordPath: values.record } : {}),
        onDashboard: (url) => {
          dashboard = url;
          // stderr: with --json the last line of stdout stays the report.
          console.error(`Dashboard: ${url}  (watch the call live; --keep-open keeps it up afterwards)`);
        },
        afterCall: async (r) => {
          report(r);
          if (values['keep-open'] && dashboard) {
            console.error(`\nThe dashboard stays up at ${dashboard}  (Ctrl-C to stop)`);
            await new Promise<void>((resolve) => {
              process.once('SIGINT', resolve);
              process.once('SIGTERM', resolve);
            });
          }
        },
      });
if (values.transport === 'twilio') report(result);
process.exit(result.ok ? 0 : 1);

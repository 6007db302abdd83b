import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { runSimulatedCaller, type SimulatedCallerOptions } from '../../sim/caller/caller.js';
import { type CallerLine, loadCallerScript, SCRIPT_DIR } from '../../sim/caller/script.js';
import { type SimStack, type SimStackOptions, startSimStack } from '../../sim/stack.js';
import { type App, startApp } from '../../src/app.js';
import type { CallSummary } from '../../src/call/call-session.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { seedDemoTenants } from '../../src/store/tenant-seed.js';

export const script = (name: string): CallerLine[] =>
  loadCallerScript(new URL(`${name}.json`, SCRIPT_DIR).pathname);

export interface BargeInRecord {
  callId: string;
  detectedAt: number;
  stoppedAt: number;
}

/**
 * The real server on a temp SQLite file, wired to the provider simulators over real sockets, and a
 * way to place calls through FastAGI + AudioSocket exactly like Asterisk would.
 * The TTS simulator speaks three times faster than a person so calls take seconds, not a minute.
 */
export async function startRig(opts: {
  script: CallerLine[];
  sims?: SimStackOptions;
  env?: Record<string, string>;
}) {
  const stack: SimStack = await startSimStack({
    script: opts.script,
    ...opts.sims,
    cartesia: { charsPerSecond: 45, ...opts.sims?.cartesia },
  });
  const dbPath = join(mkdtempSync(join(tmpdir(), 'callchart-e2e-')), 'callchart.db');
  const config = loadConfig(
    {
      ...stack.env,
      AUDIOSOCKET_PORT: '0',
      AGI_PORT: '0',
      HTTP_PORT: '0',
      CALLCHART_DB: dbPath,
      LOG_LEVEL: 'silent',
      // Load shedding off: a test machine with both cores busy must not shed the calls under test
      // (test/e2e/admission.test.ts turns it on).
      MAX_EVENT_LOOP_DELAY_MS: '0',
      ...opts.env,
    },
    '',
  );
  const ended = new Map<string, CallSummary>();
  const waiters = new Map<string, (s: CallSummary) => void>();
  const bargeIns: BargeInRecord[] = [];
  const app: App = await startApp(config, silentLogger, {
    onCallEnded: (s) => {
      ended.set(s.callId, s);
      waiters.get(s.callId)?.(s);
    },
    onBargeIn: (callId, detectedAt, stoppedAt) => bargeIns.push({ callId, detectedAt, stoppedAt }),
  });
  await seedDemoTenants(app.store);

  /** One call: FastAGI registration (DID, caller id), then the caller on AudioSocket. */
  async function call(
    caller: Partial<SimulatedCallerOptions> & { did?: string; callerId?: string; agiArgs?: string[] } = {},
  ) {
    const agi = await runFakeAgiCall({
      host: '127.0.0.1',
      port: app.agiPort ?? 0,
      script: 'voice-agent',
      args: [caller.did ?? '02012345678', caller.callerId ?? '+447700900123', ...(caller.agiArgs ?? [])],
    });
    const uuid = agi.variables.VA_UUID;
    if (!uuid) throw new Error(`no VA_UUID from FastAGI: ${agi.agiStatus}`);
    const summary = new Promise<CallSummary>((resolve) => {
      const done = ended.get(uuid);
      if (done) resolve(done);
      else waiters.set(uuid, resolve);
    });
    const result = await runSimulatedCaller({
      port: app.audioSocketPort,
      uuid,
      script: opts.script,
      turnGapMs: 500,
      ...caller,
    });
    const s = await summary;
    return {
      uuid,
      caller: result,
      summary: s,
      turns: await app.store.turnsForCall(uuid),
      booking: await app.store.bookingForCall(uuid),
    };
  }

  return {
    app,
    stack,
    dbPath,
    bargeIns,
    call,
    close: once(async () => {
      await app.close();
      await stack.close();
    }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

/**
 * One worker process (WORKERS > 1): the whole call runtime for the calls the primary hands it, with
 * AudioSocket on AUDIOSOCKET_PORT + index and no FastAGI or HTTP of its own. Started by the primary
 * with `fork(worker-main, [index])`; it exits when the primary goes away.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { CRASH_DRAIN_MS, installCrashGuards } from '../shutdown.js';
import { callOwner } from '../store/store-identity.js';
import {
  type FromWorkerMessage,
  LOAD_REPORT_MS,
  toWorkerMessage,
  workerStopGraceMs,
} from './worker-messages.js';

const index = Number(process.argv[2]);
if (!process.send || !Number.isInteger(index) || index < 0) {
  console.error('worker-main is started by the primary (WORKERS > 1), not by hand');
  process.exit(2);
}
const send = (m: FromWorkerMessage) => process.send?.(m);

const config = loadConfig();
const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? false }).child({
  worker: index,
});
const app = await startApp(
  {
    ...config,
    AUDIOSOCKET_PORT: config.AUDIOSOCKET_PORT === 0 ? 0 : config.AUDIOSOCKET_PORT + index,
    AGI_ENABLED: false,
    HTTP_ENABLED: false,
    // One public port: the first worker answers every Twilio call.
    ...(index === 0 ? {} : { TWILIO_AUTH_TOKEN: '' }),
  },
  log,
  // FastAGI runs in the primary: the dialplan's `outcome` request is answered there.
  {
    reportOutcome: (uuid, outcome) => send({ type: 'outcome', uuid, ...outcome }),
    // Its own name on its calls: restarted alone, it closes only the calls it was running itself.
    callOwner: callOwner(config, index),
  },
);

process.on('message', (raw) => {
  const parsed = toWorkerMessage.safeParse(raw);
  if (!parsed.success)
    return log.warn({ issue: parsed.error.issues[0]?.message }, 'bad message from primary');
  const m = parsed.data;
  if (m.type === 'register') app.registry.put(m.uuid, m.meta);
  else if (m.type === 'forget') app.registry.delete(m.uuid);
  else if (m.type === 'metrics') {
    app.metrics.registry.getMetricsAsJSON().then(
      (metrics) => send({ type: 'metrics', id: m.id, metrics: metrics as never }),
      (err: unknown) => log.warn({ err }, 'could not collect metrics for the primary'),
    );
  } else stop('asked by the primary');
});

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const report = setInterval(() => {
  send({
    type: 'load',
    calls: app.activeCalls(),
    loopDelayMs: Math.round(delay.percentile(99) / 1e4) / 100,
    providers: app.providerUse(),
  });
  delay.reset();
}, LOAD_REPORT_MS);
report.unref();

const drainMs = config.DRAIN_SECONDS * 1000;
let stopping = false;

/**
 * Graceful and idempotent: a stop signal may come from the primary, from a signal sent to the whole
 * process group (Ctrl-C, systemd), or both; a second one must not cut the calls short. The worker
 * drains like a single process: no new calls, live calls run on up to DRAIN_SECONDS, then the ones
 * left hear a goodbye, and it exits 0.
 */
function stop(why: string): void {
  if (stopping) return;
  stopping = true;
  log.info({ why, drainSeconds: config.DRAIN_SECONDS }, 'worker draining: letting its calls end');
  // Keeps reporting load while draining: the primary's /healthz and /metrics still see the calls.
  setTimeout(() => process.exit(1), workerStopGraceMs(drainMs)).unref();
  app.shutdown({ drainMs }).then(
    () => process.exit(0),
    (err) => {
      log.error({ err }, 'worker shutdown failed');
      process.exit(1);
    },
  );
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// The primary is gone (crashed or killed): nobody can hand this worker calls any more.
process.on('disconnect', () => stop('primary gone'));
installCrashGuards(log, () => app.shutdown({ drainMs: CRASH_DRAIN_MS, goodbyeMs: CRASH_DRAIN_MS }));
send({ type: 'ready', audioSocketPort: app.audioSocketPort });

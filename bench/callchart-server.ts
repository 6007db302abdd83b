import { join } from 'node:path';
import { GC_ON_SIGNAL_ARGS, type NodeChild, spawnNodeChild } from './child-process.js';
import { freePort } from './free-port.js';
import type { ProviderDelays } from './provider-delays.js';
import { cleanEnv } from './simulators.js';

export interface CallchartServer {
  child: NodeChild;
  audioSocketPort: number;
  agiPort: number;
  httpPort: number;
  /** The public Twilio server's port, when started with `twilio`. */
  publicPort: number | null;
  dbPath: string;
  /** GET /metrics as text. */
  scrapeMetrics(): Promise<string>;
  /** The V8 heap in use, MiB, from the default Node metrics on /metrics. */
  heapUsedMiB(): Promise<number | null>;
}

export interface CallchartServerOptions {
  simEnv: Record<string, string>;
  delays: ProviderDelays;
  /** A fresh directory for the database and booking journal. */
  dataDir: string;
  /** WORKERS for the server (worker processes); default 1. */
  workers?: number | 'auto';
  /** Extra Node flags, e.g. --cpu-prof --cpu-prof-dir=... */
  nodeArgs?: string[];
  /** Keep the server's whole output in <logDir>/callchart.log. */
  logDir?: string;
  /** Extra configuration for the server (e.g. DEEPGRAM_MODEL), applied last. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Listen on these ports (a restart on the same data keeps the callers' target); default: free ones. */
  ports?: { audioSocket: number; agi: number; http: number };
  /** Run in a process group of its own (the kill -9 mode kills the whole group). */
  processGroup?: boolean;
  /** Serve the Twilio routes, signed with this account (the load generator plays Twilio). */
  twilio?: { authToken: string; accountSid: string };
}

/** The real server (`src/main.ts`, what `npm start` runs) as a child process on free loopback ports. */
export async function startCallchartServer(opts: CallchartServerOptions): Promise<CallchartServer> {
  const [audioSocketPort, agiPort, httpPort] = opts.ports
    ? [opts.ports.audioSocket, opts.ports.agi, opts.ports.http]
    : [await freePort(), await freePort(), await freePort()];
  const dbPath = join(opts.dataDir, 'callchart.db');
  const publicPort = opts.twilio ? await freePort() : null;
  const child = spawnNodeChild('callchart', 'src/main.ts', {
    nodeArgs: [...GC_ON_SIGNAL_ARGS, ...(opts.nodeArgs ?? [])],
    ...(opts.logDir ? { logDir: opts.logDir } : {}),
    ...(opts.processGroup ? { processGroup: true } : {}),
    env: {
      ...cleanEnv(),
      ...opts.simEnv,
      AUDIOSOCKET_PORT: String(audioSocketPort),
      AGI_PORT: String(agiPort),
      HTTP_PORT: String(httpPort),
      CALLCHART_DB: dbPath,
      METADATA_DIR: opts.dataDir,
      TENANTS_FILE: 'tenants.example.json',
      DEEPGRAM_ENDPOINTING_MS: String(opts.delays.endpointingMs),
      LOG_LEVEL: 'warn',
      LOG_PRETTY: '0',
      INSPECT: '0',
      // The benchmark measures the server at the load it is given: no admission shedding or cap.
      MAX_EVENT_LOOP_DELAY_MS: '0',
      MAX_CALLS: '100000',
      WORKERS: String(opts.workers ?? 1),
      ...opts.env,
      ...(opts.twilio && publicPort !== null
        ? {
            PUBLIC_HTTP_PORT: String(publicPort),
            TWILIO_AUTH_TOKEN: opts.twilio.authToken,
            TWILIO_ACCOUNT_SID: opts.twilio.accountSid,
          }
        : {}),
    },
  });
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForHealth(`${base}/healthz`, child, opts.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  const scrapeMetrics = async () => (await fetch(`${base}/metrics`)).text();
  return {
    child,
    audioSocketPort,
    agiPort,
    httpPort,
    publicPort,
    dbPath,
    scrapeMetrics,
    async heapUsedMiB() {
      const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(await scrapeMetrics());
      return m ? Math.round((Number(m[1]) / 1048576) * 100) / 100 : null;
    },
  };
}

async function waitForHealth(url: string, child: NodeChild, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (performance.now() < deadline) {
    if (exited) throw new Error(`callchart exited before it was ready:\n${child.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`callchart was not healthy within ${timeoutMs} ms:\n${child.output()}`);
}

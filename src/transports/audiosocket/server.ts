import { createServer, type Socket } from 'node:net';
import { type Clock, systemClock } from '../../clock.js';
import { type Logger, silentLogger } from '../../log.js';
import type { AudioSocketCall, CallFeed } from './call.js';
import { handleConnection } from './connection.js';
import { FrameScheduler } from './frame-scheduler.js';
import { isSampleRate, MAX_PAYLOAD_BYTES } from './frames.js';
import { emptyPacerCounters, type PacerCounters } from './pacer.js';

export interface AudioSocketServerOptions {
  /** Default 127.0.0.1: Asterisk normally runs on the same host. */
  host?: string;
  /** Default 9099; 0 picks a free port (tests). */
  port?: number;
  log?: Logger;
  clock?: Clock;
  /** The process-wide frame clock; one is created on `clock` if not given. */
  scheduler?: FrameScheduler;
  /** A new call. Attach listeners synchronously: caller frames in the same TCP chunk follow at once. */
  onCall(call: AudioSocketCall): void;
  /** How long to wait for the first caller frame before assuming `defaultSampleRate` (default 60 ms). */
  firstAudioWaitMs?: number;
  /**
   * Rate assumed when the caller sends no audio (default 8000: the AudioSocket() app's slin,
   * docs/protocols/audiosocket.md §4.2).
   */
  defaultSampleRate?: number;
  /** Longest payload accepted from Asterisk (default 65 535). */
  maxFrameBytes?: number;
  /** Node write buffer per call above which frames are dropped (default 64 KiB). */
  maxWriteBufferBytes?: number;
  /** A call whose peer has not read for this long is ended (default 5000 ms). */
  stallCloseMs?: number;
  /** Connections that send no UUID for this long are dropped (default 5000 ms). */
  uuidTimeoutMs?: number;
  /** After our hangup frame, how long the peer has to close before we destroy the socket (default 1000 ms). */
  closeGraceMs?: number;
}

export interface AudioSocketServerStats extends PacerCounters {
  callsActive: number;
  callsTotal: number;
  /** Connections closed without a byte (unanswered channel, §5.1). */
  connectionsWithoutCall: number;
  protocolErrors: number;
}

export interface AudioSocketServer {
  readonly port: number;
  /** Hangs up every call ('shutdown'), then stops listening. */
  close(): Promise<void>;
  stats(): AudioSocketServerStats;
}

const COUNTER_KEYS = [
  'framesSent',
  'agentFrames',
  'underruns',
  'lateFrames',
  'resyncs',
  'droppedFrames',
] as const;

/** The TCP server Asterisk's AudioSocket() / Dial(AudioSocket/…) connects to (§1, §13). */
export async function startAudioSocketServer(opts: AudioSocketServerOptions): Promise<AudioSocketServer> {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const scheduler = opts.scheduler ?? new FrameScheduler({ clock });
  const defaultSampleRate = opts.defaultSampleRate ?? 8000;
  if (!isSampleRate(defaultSampleRate)) {
    throw new RangeError(`no AudioSocket kind for ${defaultSampleRate} Hz`);
  }

  const active = new Set<CallFeed>();
  /** Connections that have not sent their UUID yet: closed outright on shutdown. */
  const awaitingUuid = new Set<Socket>();
  const totals: AudioSocketServerStats = {
    callsActive: 0,
    callsTotal: 0,
    connectionsWithoutCall: 0,
    protocolErrors: 0,
    ...emptyPacerCounters(),
  };

  const server = createServer((socket) => {
    awaitingUuid.add(socket);
    handleConnection(socket, {
      log,
      clock,
      maxPayloadBytes: opts.maxFrameBytes ?? MAX_PAYLOAD_BYTES,
      uuidTimeoutMs: opts.uuidTimeoutMs ?? 5000,
      call: {
        log,
        clock,
        scheduler,
        firstAudioWaitMs: opts.firstAudioWaitMs ?? 60,
        defaultSampleRate,
        maxWriteBufferBytes: opts.maxWriteBufferBytes ?? 64 * 1024,
        stallCloseMs: opts.stallCloseMs ?? 5000,
        closeGraceMs: opts.closeGraceMs ?? 1000,
      },
      onCall(feed) {
        awaitingUuid.delete(socket);
        active.add(feed);
        totals.callsTotal++;
        opts.onCall(feed.call);
      },
      onProtocolError() {
        totals.protocolErrors++;
      },
      onClosed(outcome, feed) {
        awaitingUuid.delete(socket);
        if (outcome === 'no-call') totals.connectionsWithoutCall++;
        if (feed && active.delete(feed)) addCounters(totals, feed.call.stats());
      },
    });
  });
  // A listener-level error (EMFILE…) must not crash the process; connections have their own handlers.
  server.on('error', (err) => log.error({ err }, 'audiosocket server error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 9099, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 9099);
  log.info({ host: opts.host ?? '127.0.0.1', port }, 'audiosocket server listening');

  return {
    port,
    stats() {
      const out = { ...totals, callsActive: active.size };
      for (const feed of active) addCounters(out, feed.call.stats());
      return out;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const feed of active) feed.end('shutdown', 'server closing'); // 00 00 00, then FIN
      for (const socket of awaitingUuid) socket.destroy();
      await closed;
      if (!opts.scheduler) scheduler.stop();
    },
  };
}

function addCounters(target: PacerCounters, from: Readonly<PacerCounters>): void {
  for (const key of COUNTER_KEYS) target[key] += from[key];
}

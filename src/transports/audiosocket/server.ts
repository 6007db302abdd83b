import { createServer, type Socket } from 'node:net';
import { type Clock, systemClock } from '../../clock.js';
import { type Logger, silentLogger } from '../../log.js';
import type { AudioSocketCall, CallFeed } from './call.js';
import { handleConnection } from './connection.js';
import { FrameScheduler } from './frame-scheduler.js';
import { isSampleRate, MAX_PAYLOAD_BYTES, type SampleRate } from './frames.js';
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
  /**
   * The format comes from the dialplan (`declaredSampleRate`) or the first caller frame. Only when
   * neither arrives within this long (default 1000 ms, below Asterisk's 2 s inactivity timeout) is
   * `defaultSampleRate` assumed, with a warning; a later frame at another rate then ends the call.
   */
  firstAudioWaitMs?: number;
  /** The rate the dialplan declared for this UUID (FastAGI `format=slin16`), if any. */
  declaredSampleRate?: (uuid: string) => number | undefined;
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
  /** Open connections (calls and handshakes) beyond this are closed at once (default 1000). */
  maxConnections?: number;
  /** Rates the call runtime can serve; a call at another rate is ended with a log line (default: all). */
  supportedSampleRates?: readonly SampleRate[];
}

export interface AudioSocketServerStats extends PacerCounters {
  callsActive: number;
  callsTotal: number;
  /** Connections closed without a byte (unanswered channel, §5.1). */
  connectionsWithoutCall: number;
  protocolErrors: number;
  /** Connections closed on arrival because `maxConnections` were open. */
  connectionsRefused: number;
  /** Connections refused because a live call already had their UUID. */
  duplicateUuids: number;
}

export interface AudioSocketServer {
  readonly port: number;
  /**
   * Stops taking new connections; calls in progress go on (drain). With `lateLegs`, the listener stays
   * open while calls are still due (FastAGI handed out this address before the drain), at most
   * `maxWaitMs`. Resolves once it no longer accepts.
   */
  stopAccepting(lateLegs?: LateLegs): Promise<void>;
  /** Hangs up every call ('shutdown'), then stops listening. */
  close(): Promise<void>;
  stats(): AudioSocketServerStats;
}

export interface LateLegs {
  /** True while a call promised to this server has not connected yet. */
  due(): boolean;
  maxWaitMs: number;
}

/** How often a draining server looks again whether promised calls are still due. */
const LATE_LEG_POLL_MS = 50;

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
    connectionsRefused: 0,
    duplicateUuids: 0,
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
        firstAudioWaitMs: opts.firstAudioWaitMs ?? 1000,
        defaultSampleRate,
        maxWriteBufferBytes: opts.maxWriteBufferBytes ?? 64 * 1024,
        stallCloseMs: opts.stallCloseMs ?? 5000,
        closeGraceMs: opts.closeGraceMs ?? 1000,
        ...(opts.supportedSampleRates ? { supportedRates: new Set<number>(opts.supportedSampleRates) } : {}),
      },
      isLive(uuid) {
        for (const feed of active) if (feed.call.callId === uuid) return true;
        return false;
      },
      onDuplicate() {
        totals.duplicateUuids++;
      },
      onCall(feed) {
        awaitingUuid.delete(socket);
        active.add(feed);
        totals.callsTotal++;
        opts.onCall(feed.call);
        // After onCall, so the call's listeners see an unsupported declared rate end it.
        const declared = opts.declaredSampleRate?.(feed.call.callId);
        if (declared !== undefined) {
          if (isSampleRate(declared)) feed.declare(declared);
          else
            log.warn(
              { callId: feed.call.callId, declared },
              'declared format has no AudioSocket kind; ignored',
            );
        }
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
  server.maxConnections = opts.maxConnections ?? 1000;
  server.on('drop', (info) => {
    totals.connectionsRefused++;
    log.warn(
      { remote: `${info?.remoteAddress}:${info?.remotePort}`, maxConnections: server.maxConnections },
      'audiosocket connection refused: too many connections',
    );
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

  let listenerClosed: Promise<void> | null = null;
  /** server.close() resolves once every connection has ended too. */
  const stopListening = () => {
    listenerClosed ??= new Promise<void>((resolve) => server.close(() => resolve()));
    return listenerClosed;
  };

  return {
    port,
    stats() {
      const out = { ...totals, callsActive: active.size };
      for (const feed of active) addCounters(out, feed.call.stats());
      return out;
    },
    stopAccepting(lateLegs) {
      if (!lateLegs?.due()) {
        void stopListening();
        return Promise.resolve();
      }
      const deadline = performance.now() + lateLegs.maxWaitMs;
      return new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (listenerClosed === null && lateLegs.due() && performance.now() < deadline) return;
          clearInterval(poll);
          void stopListening();
          resolve();
        }, LATE_LEG_POLL_MS);
        poll.unref();
      });
    },
    async close() {
      const closed = stopListening();
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

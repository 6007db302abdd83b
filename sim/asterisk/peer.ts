import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { ByteQueue } from '../../src/audio/byte-queue.js';
import { frameBytes, pcmDurationMs } from '../../src/audio/pcm.js';
import { type Clock, systemClock } from '../../src/clock.js';
import { FrameScheduler, type ScheduledStream } from '../../src/transports/audiosocket/frame-scheduler.js';
import type {
  DtmfDigit,
  Frame,
  ProtocolError,
  ProtocolErrorCode,
  SampleRate,
} from '../../src/transports/audiosocket/frames.js';
import {
  WIRE_HEADER_BYTES,
  WireKind,
  WireReader,
  wireAudioKind,
  wireDtmfFrame,
  wireHeader,
  wireRateOfKind,
  wireSilenceFrame,
  wireUuidFrame,
} from './wire.js';

export interface AsteriskPeerOptions {
  host?: string;
  port: number;
  /** Call UUID sent in the first frame (default: a random one). */
  uuid?: string;
  /** Caller audio rate; 8000 sends 0x10 (the AudioSocket() app), 16000 sends 0x12 (`c(slin16)`, §16). */
  sampleRate?: SampleRate;
  /** Caller frame length: 20 ms by default (320 B at 8 kHz); 10 or 30 ms for other ptimes (§4.2). */
  frameMs?: number;
  /**
   * Silence suppression / hold: send no frames at all while there is nothing to say (§4.2, §16).
   * Default false: frames of digital silence, like `transmit_silence=yes` or a live RTP leg.
   */
  suppressSilence?: boolean;
  /**
   * Send nothing at all for this long after the UUID, as `Dial(AudioSocket/…/c(slin16))` did with a
   * caller who said nothing for the first half second (first frame ~520 ms after the UUID).
   */
  silentStartMs?: number;
  /**
   * Asterisk ≤ 20.13: invalid server frames are ignored instead of ending the call, no DTMF, no
   * 2 s inactivity timeout (§7, §9).
   */
  legacy?: boolean;
  /**
   * Shared frame clock: a load generator drives hundreds of peers from one timer. Its `frameMs` is
   * the send period. Without one the peer runs its own drift-free schedule.
   */
  scheduler?: FrameScheduler;
  clock?: Clock;
  /** Nothing sent or received for this long ends the call, as app_audiosocket does (default 2000 ms, §6). */
  inactivityTimeoutMs?: number;
  /** Keep the arrival time of every server audio frame in `arrivals` (default true). */
  recordArrivals?: boolean;
  /** Keep every server audio payload for `receivedAudio()` (default false). */
  recordReceived?: boolean;
  /** Keep every caller audio payload sent (silence included) for `sentAudio()` (default false). */
  recordSent?: boolean;
  /** Every frame from the server, with its arrival time (e.g. to spot the first voiced agent frame). */
  onServerFrame?: (frame: Frame, at: number) => void;
  /** Edits each outgoing caller payload in place just before it is sent (e.g. to mix in line echo). */
  outgoingFilter?: (payload: Buffer) => void;
}

export type PeerEndReason =
  | 'server-hangup' // 00 00 00 received
  | 'server-eof'
  | 'protocol-violation' // the server sent something current Asterisk rejects
  | 'inactivity-timeout'
  | 'local-hangup'
  | 'local-reset'
  | 'socket-error';

export interface PeerEnd {
  reason: PeerEndReason;
  detail?: string;
  at: number;
}

export interface PeerStats {
  framesSent: number;
  framesReceived: number;
  audioFramesReceived: number;
  audioBytesReceived: number;
}

/**
 * A faithful fake Asterisk for one call (docs/protocols/audiosocket.md §12): the TCP client side of an
 * AudioSocket session, with the behaviours of §6, §7 and §16 a server must survive. It reads and writes
 * frames with its own codec (`wire.ts`), never the product's, so the two check each other.
 */
export class AsteriskPeer {
  readonly uuid: string;
  readonly sampleRate: SampleRate;
  /** The call is over; never rejects. */
  readonly ended: Promise<PeerEnd>;
  /** Arrival times (clock ms) of server audio frames, when `recordArrivals`. */
  readonly arrivals: number[] = [];
  /** Server frames current Asterisk would reject (in legacy mode: the ones it ignored). */
  readonly violations: ProtocolError[] = [];

  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly scheduler: FrameScheduler;
  private readonly ownsScheduler: boolean;
  private readonly reader = new WireReader();
  private readonly queue = new ByteQueue();
  private readonly frameBytes: number;
  private readonly kind: number;
  private readonly opts: AsteriskPeerOptions;
  private readonly received: Buffer[] = [];
  private readonly sent: Buffer[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private readonly counters: PeerStats = {
    framesSent: 0,
    framesReceived: 0,
    audioFramesReceived: 0,
    audioBytesReceived: 0,
  };
  private stream: ScheduledStream | null = null;
  private lastActivity: number;
  private connectedAt = 0;
  private endInfo: PeerEnd | null = null;
  private resolveEnded!: (end: PeerEnd) => void;

  private constructor(opts: AsteriskPeerOptions, socket: Socket) {
    this.opts = opts;
    this.socket = socket;
    this.uuid = (opts.uuid ?? randomUUID()).toLowerCase();
    this.sampleRate = opts.sampleRate ?? 8000;
    this.clock = opts.scheduler?.clock ?? opts.clock ?? systemClock;
    const frameMs = opts.scheduler?.frameMs ?? opts.frameMs ?? 20;
    if (opts.scheduler && opts.frameMs !== undefined && opts.frameMs !== frameMs) {
      throw new RangeError(`frameMs ${opts.frameMs} differs from the shared scheduler's ${frameMs} ms`);
    }
    this.scheduler = opts.scheduler ?? new FrameScheduler({ clock: this.clock, frameMs });
    this.ownsScheduler = !opts.scheduler;
    this.frameBytes = frameBytes(this.sampleRate, frameMs);
    this.kind = wireAudioKind(this.sampleRate);
    this.lastActivity = this.clock.now();
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  /** Connects, sends the 19-byte UUID frame in one write (§5.1), then one caller frame per period. */
  static connect(opts: AsteriskPeerOptions): Promise<AsteriskPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: opts.host ?? '127.0.0.1', port: opts.port });
      let peer: AsteriskPeer;
      try {
        peer = new AsteriskPeer(opts, socket);
      } catch (err) {
        socket.destroy();
        reject(err);
        return;
      }
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        peer.start();
        resolve(peer);
      });
    });
  }

  /** Queues caller speech (s16le at `sampleRate`); it goes out frame by frame in real time. */
  say(pcm: Buffer): void {
    this.queue.push(pcm);
  }

  /** ms of caller audio still queued. */
  queuedMs(): number {
    return pcmDurationMs(this.queue.length, this.sampleRate);
  }

  /** Resolves once everything queued with `say()` has been sent (at once if nothing is queued). */
  saidAll(): Promise<void> {
    if (this.queue.length === 0 || this.endInfo) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** One DTMF digit, `03 00 01 <ascii>`, between audio frames (§5.1; 20.14+ only). */
  sendDtmf(digit: DtmfDigit): void {
    if (this.opts.legacy) throw new Error('legacy Asterisk (≤ 20.13) never sends DTMF');
    if (this.endInfo) return;
    this.socket.write(wireDtmfFrame(digit));
    this.lastActivity = this.clock.now();
  }

  /** Caller hangs up: Asterisk just closes the socket, never sending 00 00 00 (§7). */
  hangup(): void {
    this.finish('local-hangup');
  }

  /** Caller side resets the connection (RST), so the server sees ECONNRESET (§7, §12.8). */
  reset(): void {
    this.finish('local-reset');
  }

  /** Slow consumer (§12.10): stop reading from the socket until `resumeReading()`. */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  stats(): Readonly<PeerStats> {
    return this.counters;
  }

  /** All server audio payloads received, concatenated (needs `recordReceived`). */
  receivedAudio(): Buffer {
    return Buffer.concat(this.received);
  }

  /** All caller audio payloads sent, concatenated (needs `recordSent`). */
  sentAudio(): Buffer {
    return Buffer.concat(this.sent);
  }

  private start(): void {
    this.socket.setNoDelay(true); // as Asterisk 20.15+ does (§1)
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.finish('server-eof'));
    this.socket.on('error', (err: NodeJS.ErrnoException) =>
      this.finish('socket-error', err.code ?? err.message),
    );
    this.socket.on('close', () => this.finish('server-eof'));
    this.socket.write(wireUuidFrame(this.uuid));
    this.lastActivity = this.clock.now();
    this.connectedAt = this.lastActivity;
    this.stream = this.scheduler.add(this.onTick);
  }

  private readonly onTick = (): void => {
    const now = this.clock.now();
    const timeout = this.opts.inactivityTimeoutMs ?? 2000;
    if (!this.opts.legacy && now - this.lastActivity >= timeout) {
      this.finish('inactivity-timeout', `no frames either way for ${timeout} ms`);
      return;
    }
    let frame = this.nextFrame();
    if (frame && this.opts.outgoingFilter) {
      // Silence frames may be shared: filter a private copy.
      frame = Buffer.from(frame);
      this.opts.outgoingFilter(frame.subarray(WIRE_HEADER_BYTES));
    }
    if (frame) {
      this.socket.write(frame);
      this.counters.framesSent++;
      this.lastActivity = now;
      if (this.opts.recordSent) this.sent.push(frame.subarray(WIRE_HEADER_BYTES));
    }
    if (this.queue.length === 0 && this.drainWaiters.length > 0) this.releaseDrainWaiters();
  };

  /** Queued speech (the last frame of a clip may be short, as §16 saw), else silence or nothing. */
  private nextFrame(): Buffer | null {
    if (this.clock.now() - this.connectedAt < (this.opts.silentStartMs ?? 0)) return null;
    if (this.queue.length > 0) {
      const n = Math.min(this.frameBytes, this.queue.length) & ~1;
      if (n === 0) {
        this.queue.clear(); // a stray odd byte: Asterisk never sends half a sample
        return this.nextFrame();
      }
      const frame = Buffer.allocUnsafe(WIRE_HEADER_BYTES + n);
      wireHeader(frame, this.kind, n);
      this.queue.takeInto(frame, WIRE_HEADER_BYTES, n);
      return frame;
    }
    return this.opts.suppressSilence ? null : wireSilenceFrame(this.sampleRate, this.frameBytes);
  }

  private onData(chunk: Buffer): void {
    if (this.endInfo) return;
    const now = this.clock.now();
    this.lastActivity = now;
    for (const raw of this.reader.push(chunk)) {
      const read = readServerFrame(raw.kind, raw.payload);
      if ('violation' in read) {
        // Current Asterisk drops the call; ≤ 20.13 logged a warning and read on (§7).
        this.violations.push(read.violation);
        if (this.opts.legacy) continue;
        this.finish('protocol-violation', read.violation.message);
        return;
      }
      this.onServerFrame(read.frame, now);
      if (this.endInfo) return;
    }
  }

  private onServerFrame(frame: Frame, at: number): void {
    this.counters.framesReceived++;
    this.opts.onServerFrame?.(frame, at);
    if (frame.kind === 'hangup') {
      this.finish('server-hangup'); // Asterisk closes within ~1 ms (§16)
      return;
    }
    if (frame.kind !== 'audio') return;
    this.counters.audioFramesReceived++;
    this.counters.audioBytesReceived += frame.payload.length;
    if (this.opts.recordArrivals ?? true) this.arrivals.push(at);
    if (this.opts.recordReceived) this.received.push(frame.payload);
  }

  private finish(reason: PeerEndReason, detail?: string): void {
    if (this.endInfo) return;
    this.endInfo = { reason, at: this.clock.now(), ...(detail === undefined ? {} : { detail }) };
    if (this.stream) this.scheduler.remove(this.stream);
    if (this.ownsScheduler) this.scheduler.stop();
    if (reason === 'local-reset') this.socket.resetAndDestroy();
    else if (reason === 'local-hangup') this.socket.end(() => this.socket.destroy());
    else this.socket.destroy();
    this.releaseDrainWaiters();
    this.resolveEnded(this.endInfo);
  }

  private releaseDrainWaiters(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}

export type ServerFrameRead = { frame: Frame } | { violation: ProtocolError };

function violation(code: ProtocolErrorCode, message: string, kind: number, length: number): ServerFrameRead {
  return { violation: { code, message, kind, length } };
}

/**
 * What Asterisk makes of one frame from the server: only hang-up and audio are accepted (§7, §13).
 * Audio must also be non-empty and of even length (§4.4); the peer is stricter than Asterisk about
 * odd lengths so that a server sending them is caught.
 */
export function readServerFrame(kind: number, payload: Buffer): ServerFrameRead {
  const name = `0x${kind.toString(16).padStart(2, '0')}`;
  if (kind === WireKind.hangup) return { frame: { kind: 'hangup' } }; // Asterisk reads the header and stops
  const sampleRate = wireRateOfKind(kind) as SampleRate | undefined;
  if (sampleRate !== undefined) {
    return payload.length > 0 && payload.length % 2 === 0
      ? { frame: { kind: 'audio', sampleRate, payload } }
      : violation('bad-audio-length', `audio frame of ${payload.length} bytes`, kind, payload.length);
  }
  if (kind === WireKind.uuid || kind === WireKind.dtmf || kind === WireKind.error) {
    return violation(
      'kind-not-allowed',
      `server sent a ${name} frame, which Asterisk rejects`,
      kind,
      payload.length,
    );
  }
  return violation('unknown-kind', `unknown frame kind ${name}`, kind, payload.length);
}

/**
 * The unanswered-channel case (§5.1 step 4): Asterisk connects, finds the channel not UP, and
 * closes without sending a byte. Resolves once the socket is closed.
 */
export function connectWithoutCall(opts: { host?: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: opts.host ?? '127.0.0.1', port: opts.port });
    socket.once('error', reject);
    socket.once('connect', () => socket.end());
    socket.once('close', () => resolve());
  });
}

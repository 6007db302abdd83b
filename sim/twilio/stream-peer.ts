import { WebSocket } from 'ws';
import { rmsMulaw } from '../../src/audio/energy.js';
import { encodeMulaw, MULAW_SILENCE } from '../../src/audio/g711.js';
import { twilioSignature } from './signing.js';

const FRAME_MS = 20;
const FRAME_BYTES = 160;
/** Ten minutes of agent audio waiting to play: far beyond any reply. */
const MAX_PLAYBACK_BYTES = 8000 * 600;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface StreamPeerOptions {
  /** The <Stream url> from the TwiML. */
  url: string;
  authToken: string;
  accountSid: string;
  callSid: string;
  streamSid: string;
  /** The <Parameter>s, returned as start.customParameters. */
  parameters: Record<string, string>;
  /** Agent audio above this RMS, when played, counts as the agent speaking. */
  voicedRms: number;
  /** Every 20 ms frame as it is played to the caller (the moment mouth-to-ear is measured). */
  onPlayed?: (frame: Buffer, at: number, voiced: boolean) => void;
  record?: boolean;
}

export type StreamPeerEndReason = 'server-closed' | 'caller-hangup' | 'transferred' | 'socket-error';

export interface StreamPeerEnd {
  reason: StreamPeerEndReason;
  at: number;
}

type Queued = { kind: 'audio'; audio: Buffer; offset: number } | { kind: 'mark'; name: string };

/**
 * Twilio's side of one bidirectional Media Stream. Caller audio goes out in real time as 20 ms
 * mu-law `media` messages; agent audio goes into a playback buffer that plays at real time, echoes
 * each mark once the audio before it has played, and empties (echoing every pending mark) on `clear`.
 */
export class TwilioStreamPeer {
  readonly ended: Promise<StreamPeerEnd>;
  /** When each `clear` arrived (performance.now()). */
  readonly clears: number[] = [];
  /** Messages real Twilio would not accept (bad base64, WAV headers, a wrong streamSid…). */
  readonly violations: string[] = [];
  marksEchoed = 0;
  private readonly ws: WebSocket;
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private readonly toSay: Buffer[] = [];
  private sayWaiters: (() => void)[] = [];
  private seq = 0;
  private chunk = 0;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private ticks = 0;
  private endInfo: StreamPeerEnd | null = null;
  private resolveEnded!: (end: StreamPeerEnd) => void;
  private endReason: StreamPeerEndReason | null = null;
  private readonly played: Buffer[] = [];

  private constructor(
    private readonly opts: StreamPeerOptions,
    ws: WebSocket,
  ) {
    this.ws = ws;
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  static connect(opts: StreamPeerOptions): Promise<TwilioStreamPeer> {
    const ws = new WebSocket(opts.url, {
      headers: { 'x-twilio-signature': twilioSignature(opts.authToken, opts.url, {}) },
    });
    const peer = new TwilioStreamPeer(opts, ws);
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`stream refused: HTTP ${res.statusCode}`)),
      );
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        peer.begin();
        resolve(peer);
      });
    });
  }

  /** Speak a clip (8 kHz s16le): it goes out frame by frame in real time. */
  say(pcm: Buffer): void {
    const mulaw = encodeMulaw(pcm);
    for (let at = 0; at < mulaw.length; at += FRAME_BYTES) {
      const frame = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
      mulaw.copy(frame, 0, at, Math.min(mulaw.length, at + FRAME_BYTES));
      this.toSay.push(frame);
    }
  }

  /** Resolves when everything given to say() has been sent. */
  saidAll(): Promise<void> {
    if (this.toSay.length === 0 || this.endInfo) return Promise.resolve();
    return new Promise((resolve) => this.sayWaiters.push(resolve));
  }

  dtmf(digit: string): void {
    this.sendEvent({ event: 'dtmf', dtmf: { track: 'inbound_track', digit } });
  }

  /** The caller hangs up: `stop`, then the socket closes. */
  hangup(reason: StreamPeerEndReason = 'caller-hangup'): void {
    if (this.endInfo || this.endReason) return;
    this.endReason = reason;
    this.sendEvent({ event: 'stop', stop: { accountSid: this.opts.accountSid, callSid: this.opts.callSid } });
    this.ws.close(1000);
  }

  /** Agent audio the caller actually heard. */
  playedAudio(): Buffer {
    return Buffer.concat(this.played);
  }

  /** ms of agent audio buffered and not yet played. */
  bufferedMs(): number {
    return this.queuedBytes / 8;
  }

  private begin(): void {
    this.ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.ws.on('close', () => this.finish(this.endReason ?? 'server-closed'));
    this.ws.on('error', () => this.finish('socket-error'));
    this.ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    this.sendEvent({
      event: 'start',
      start: {
        streamSid: this.opts.streamSid,
        accountSid: this.opts.accountSid,
        callSid: this.opts.callSid,
        tracks: ['inbound'],
        customParameters: this.opts.parameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    this.startedAt = performance.now();
    this.schedule();
  }

  /** Drift-free 20 ms clock: caller frame out, one agent frame played. */
  private schedule(): void {
    const next = this.startedAt + (this.ticks + 1) * FRAME_MS;
    this.timer = setTimeout(
      () => {
        let burst = 0;
        while (
          !this.endInfo &&
          performance.now() >= this.startedAt + (this.ticks + 1) * FRAME_MS &&
          burst++ < 5
        ) {
          this.ticks++;
          this.tick(performance.now());
        }
        if (!this.endInfo) this.schedule();
      },
      Math.max(0, next - performance.now()),
    );
  }

  private tick(at: number): void {
    const frame = this.toSay.shift() ?? Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    if (this.toSay.length === 0 && this.sayWaiters.length) {
      for (const w of this.sayWaiters.splice(0)) w();
    }
    this.chunk++;
    this.sendEvent({
      event: 'media',
      media: {
        track: 'inbound',
        chunk: String(this.chunk),
        timestamp: String(this.chunk * FRAME_MS),
        payload: frame.toString('base64'),
      },
    });
    this.playFrame(at);
  }

  private playFrame(at: number): void {
    const out = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    let filled = 0;
    while (filled < FRAME_BYTES && this.queue.length) {
      const head = this.queue[0]!;
      if (head.kind === 'mark') {
        this.echoMark(head.name);
        this.queue.shift();
        continue;
      }
      const take = Math.min(FRAME_BYTES - filled, head.audio.length - head.offset);
      head.audio.copy(out, filled, head.offset, head.offset + take);
      head.offset += take;
      filled += take;
      this.queuedBytes -= take;
      if (head.offset === head.audio.length) this.queue.shift();
    }
    // Marks right behind the audio just played have been reached.
    while (this.queue[0]?.kind === 'mark') this.echoMark((this.queue.shift() as { name: string }).name);
    if (filled === 0) return;
    const frame = out.subarray(0, filled);
    if (this.opts.record) this.played.push(Buffer.from(frame));
    this.opts.onPlayed?.(frame, at, rmsMulaw(frame) > this.opts.voicedRms);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) return void this.violations.push('binary frame');
    let m: { event?: string; streamSid?: string; media?: { payload?: unknown }; mark?: { name?: unknown } };
    try {
      m = JSON.parse(data.toString('utf8'));
    } catch {
      return void this.violations.push('malformed JSON');
    }
    if (m.streamSid !== this.opts.streamSid)
      return void this.violations.push(`wrong streamSid on ${m.event}`);
    switch (m.event) {
      case 'media': {
        const payload = m.media?.payload;
        if (typeof payload !== 'string' || !BASE64.test(payload))
          return void this.violations.push('bad base64');
        const audio = Buffer.from(payload, 'base64');
        if (audio.subarray(0, 4).toString('latin1') === 'RIFF')
          return void this.violations.push('WAV header');
        if (this.queuedBytes + audio.length > MAX_PLAYBACK_BYTES)
          return void this.violations.push('buffer full');
        this.queue.push({ kind: 'audio', audio, offset: 0 });
        this.queuedBytes += audio.length;
        break;
      }
      case 'mark':
        if (typeof m.mark?.name !== 'string') return void this.violations.push('mark without name');
        this.queue.push({ kind: 'mark', name: m.mark.name });
        break;
      case 'clear':
        this.clears.push(performance.now());
        for (const q of this.queue.splice(0)) if (q.kind === 'mark') this.echoMark(q.name);
        this.queuedBytes = 0;
        break;
      default:
        this.violations.push(`unknown event ${m.event}`);
    }
  }

  private echoMark(name: string): void {
    this.marksEchoed++;
    this.sendEvent({ event: 'mark', mark: { name } });
  }

  private sendEvent(message: Record<string, unknown>): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.seq++;
    this.ws.send(
      JSON.stringify({ ...message, sequenceNumber: String(this.seq), streamSid: this.opts.streamSid }),
    );
  }

  private finish(reason: StreamPeerEndReason): void {
    if (this.endInfo) return;
    if (this.timer) clearTimeout(this.timer);
    this.endInfo = { reason, at: performance.now() };
    for (const w of this.sayWaiters.splice(0)) w();
    this.resolveEnded(this.endInfo);
  }
}

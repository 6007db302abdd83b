import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeMulaw } from '../audio/g711.js';
import { buildWav, interleaveStereo } from '../audio/wav.js';
import type { SessionTransport } from '../call/call-session.js';
import type { Logger } from '../log.js';
import type { TransportEvents } from '../transports/transport.js';

/** Longer than the machine's 20-minute call deadline: a recording never outgrows its call. */
const MAX_RECORDING_MS = 21 * 60_000;
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;
const SWEEP_EVERY_MS = 3_600_000;

/** One growable s16le track with a hard cap. */
class Track {
  private buf = Buffer.alloc(64 * 1024);
  length = 0;
  constructor(private readonly maxBytes: number) {}

  writeAt(pos: number, pcm: Buffer): void {
    const end = Math.min(pos + pcm.length, this.maxBytes);
    if (end <= pos) return;
    if (end > this.buf.length) {
      const next = Buffer.alloc(Math.min(this.maxBytes, Math.max(end, this.buf.length * 2)));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    if (pos > this.length) this.buf.fill(0, this.length, pos); // silence up to here
    pcm.copy(this.buf, pos, 0, end - pos);
    this.length = Math.max(this.length, end);
  }

  truncate(to: number): void {
    this.length = Math.min(this.length, Math.max(0, to));
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Stereo call recordings (caller left, agent right) in RECORDINGS_DIR, deleted after the retention.
 * The caller's frames are the clock: agent audio is laid down where it starts playing (after what is
 * already queued) and cut back on a flush, so the file sounds like the call did.
 */
export class Recordings {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private readonly retentionDays: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async read(callId: string): Promise<Buffer | null> {
    if (!SAFE_ID.test(callId)) return null;
    return readFile(join(this.dir, `${callId}.wav`)).catch(() => null);
  }

  /** Deletes recordings older than the retention; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    const cutoff = now - this.retentionDays * 86_400_000;
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith('.wav')) continue;
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < cutoff) {
        await unlink(path).catch((err) => this.log.warn({ err, name }, 'could not delete old recording'));
        removed++;
      }
    }
    if (removed) this.log.info({ removed }, 'old recordings deleted');
    return removed;
  }

  /** Wraps a transport so both sides of the call are recorded; the file is written when it closes. */
  record(transport: SessionTransport): SessionTransport {
    if (!SAFE_ID.test(transport.callId)) return transport;
    return new RecordingTransport(transport, (wav) => {
      const path = join(this.dir, `${transport.callId}.wav`);
      writeFile(path, wav).catch((err) =>
        this.log.warn({ err, callId: transport.callId }, 'recording not saved'),
      );
    });
  }
}

class RecordingTransport implements SessionTransport {
  private caller: Track | null = null;
  private agent: Track | null = null;
  /** Where queued agent audio ends, in bytes of the caller's time line. */
  private agentEnd = 0;
  private saved = false;
  readonly formatReady: SessionTransport['formatReady'];
  /** Twilio's per-line settings pass through untouched (present only when the inner transport has them). */
  readonly bargeIn: SessionTransport['bargeIn'];
  readonly transferOnHangup?: (to: string) => void;

  constructor(
    private readonly inner: SessionTransport,
    private readonly save: (wav: Buffer) => void,
  ) {
    this.formatReady = inner.formatReady;
    this.bargeIn = inner.bargeIn;
    if (inner.transferOnHangup) this.transferOnHangup = (to) => inner.transferOnHangup?.(to);
    inner.on('audio', (frame) => this.tracks().caller.writeAt(this.tracks().caller.length, this.pcm(frame)));
    inner.on('closed', () => this.finish());
  }

  get callId() {
    return this.inner.callId;
  }
  get format() {
    return this.inner.format;
  }
  get closed() {
    return this.inner.closed;
  }

  on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): void {
    this.inner.on(event, listener);
  }

  play(audio: Buffer): void {
    const { caller, agent } = this.tracks();
    const at = Math.max(this.agentEnd, caller.length);
    const pcm = this.pcm(audio);
    agent.writeAt(at, pcm);
    this.agentEnd = at + pcm.length;
    this.inner.play(audio);
  }

  flush(): number {
    const { caller, agent } = this.tracks();
    agent.truncate(caller.length); // what was dropped was never heard
    this.agentEnd = caller.length;
    return this.inner.flush();
  }

  queuedMs() {
    return this.inner.queuedMs();
  }
  playedMs() {
    return this.inner.playedMs();
  }
  recentOutputRms(windowMs: number) {
    return this.inner.recentOutputRms(windowMs);
  }
  hangup(opts?: { afterPlayout?: boolean }) {
    this.inner.hangup(opts);
  }

  private tracks(): { caller: Track; agent: Track } {
    if (!this.caller || !this.agent) {
      const max = (MAX_RECORDING_MS * this.inner.format.sampleRate * 2) / 1000;
      this.caller = new Track(max);
      this.agent = new Track(max);
    }
    return { caller: this.caller, agent: this.agent };
  }

  private pcm(audio: Buffer): Buffer {
    return this.inner.format.encoding === 'mulaw' ? decodeMulaw(audio) : audio;
  }

  private finish(): void {
    if (this.saved || !this.caller || !this.agent) return;
    this.saved = true;
    const stereo = interleaveStereo(this.caller.bytes(), this.agent.bytes());
    this.save(buildWav(stereo, { sampleRate: this.inner.format.sampleRate, channels: 2 }));
  }
}

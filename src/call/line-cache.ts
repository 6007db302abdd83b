import { LRUCache } from 'lru-cache';
import type { Language } from '../../machines/call.types.js';
import type { Logger } from '../log.js';
import type { TtsProvider, TtsSessionOptions, TtsVoice } from '../providers/tts/types.js';
import { withTimeout } from '../with-timeout.js';
import type { FixedLine } from './fixed-lines.js';

/** One company's lines in one language and one audio format (what a call can play as is). */
export interface LineSet {
  tenantId: string;
  language: Language;
  format: Pick<TtsSessionOptions, 'encoding' | 'sampleRate' | 'modelId'>;
}

export interface LineCacheOptions {
  /** Byte budget for all clips; least recently used first out. */
  maxBytes?: number;
  /** One line's synthesis may take this long before the fill gives up (a stalled TTS). */
  synthTimeoutMs?: number;
  /** After a failed fill, the same set is not tried again for this long. */
  retryAfterMs?: number;
}

/** About 25 companies' lines in two languages at 8 kHz 16-bit (13 lines of ~3 s each per set). */
const DEFAULT_MAX_BYTES = 48 * 1024 * 1024;
const DEFAULT_SYNTH_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_AFTER_MS = 60_000;
/** Fills running at once (each holds one TTS socket). */
const MAX_FILLS = 8;

const setKey = (s: LineSet) =>
  `${s.tenantId}|${s.language}|${s.format.encoding}/${s.format.sampleRate}/${s.format.modelId}`;

/**
 * Audio of the fixed lines (apology, transfer, goodbye, overflow, …) per company, language and format,
 * synthesised ahead on a TTS session of its own, so a call can still say them when the model and the
 * TTS are both down. Like the GreetingCache: lru-cache bounded by bytes. A fill runs in the background
 * on the first call of its kind, once at a time per set, and only for lines not yet held.
 */
export class LineCache {
  private readonly clips: LRUCache<string, Buffer>;
  private readonly filling = new Map<string, Promise<void>>();
  private readonly failed: LRUCache<string, true>;
  private readonly synthTimeoutMs: number;

  constructor(opts: LineCacheOptions = {}) {
    this.clips = new LRUCache<string, Buffer>({
      maxSize: opts.maxBytes ?? DEFAULT_MAX_BYTES,
      sizeCalculation: (audio) => Math.max(1, audio.length),
    });
    this.failed = new LRUCache<string, true>({ max: 1000, ttl: opts.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS });
    this.synthTimeoutMs = opts.synthTimeoutMs ?? DEFAULT_SYNTH_TIMEOUT_MS;
  }

  /** Clips held. */
  get size(): number {
    return this.clips.size;
  }

  /** Resolves once every fill now running has ended (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.filling.values()]);
  }

  get(set: LineSet, voiceId: string, text: string): Buffer | undefined {
    return this.clips.get(`${setKey(set)}|${voiceId}|${text}`);
  }

  /**
   * Synthesises the lines of `set` not held yet, one after another on a TTS session of its own.
   * Never rejects: a failure is one log line, and the set is tried again by a later call.
   */
  prepare(
    set: LineSet,
    lines: readonly FixedLine[],
    voice: (line: FixedLine) => TtsVoice,
    tts: TtsProvider,
    log: Logger,
  ): Promise<void> {
    const key = setKey(set);
    const missing = lines.filter((l) => !this.get(set, voice(l).voiceId, l.text));
    const running = this.filling.get(key);
    if (running) return running;
    if (missing.length === 0 || this.failed.has(key) || this.filling.size >= MAX_FILLS)
      return Promise.resolve();
    const fill = this.fill(set, missing, voice, tts, log)
      .catch((err: unknown) => {
        this.failed.set(key, true);
        log.warn(
          { err: { message: (err as Error)?.message }, tenant: set.tenantId },
          'fixed lines not cached',
        );
      })
      .finally(() => this.filling.delete(key));
    this.filling.set(key, fill);
    return fill;
  }

  private async fill(
    set: LineSet,
    missing: readonly FixedLine[],
    voice: (line: FixedLine) => TtsVoice,
    tts: TtsProvider,
    log: Logger,
  ): Promise<void> {
    const session = await tts.open({ ...set.format }, log);
    try {
      for (const line of missing) {
        const v = voice(line);
        const audio = await withTimeout(
          session.synthesize(line.text, v),
          this.synthTimeoutMs,
          `no audio within ${this.synthTimeoutMs} ms`,
        );
        if (audio.length > 0) this.clips.set(`${setKey(set)}|${v.voiceId}|${line.text}`, audio);
      }
      log.debug(
        { tenant: set.tenantId, language: set.language, lines: missing.length },
        'fixed lines cached',
      );
    } finally {
      await session.close().catch(() => {});
    }
  }
}

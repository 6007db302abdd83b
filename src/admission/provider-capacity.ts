import client from 'prom-client';
import type { Logger } from '../log.js';
import type { SttEvent, SttOptions, SttProvider, SttSession } from '../providers/stt/types.js';
import type {
  TtsContext,
  TtsEvent,
  TtsProvider,
  TtsSession,
  TtsSessionOptions,
  TtsVoice,
} from '../providers/tts/types.js';

export interface ProviderLimits {
  /** Concurrent Deepgram streams the account allows; 0 = no limit. */
  sttStreams: number;
  /** Concurrent Cartesia contexts the account allows; 0 = no limit. */
  ttsContexts: number;
}

/** What this process holds of each speech provider right now. */
export interface ProviderUse {
  sttStreams: number;
  ttsContexts: number;
  ttsSessions: number;
}

/**
 * Counts what this process holds of each speech provider (Deepgram streams, Cartesia contexts and
 * sessions) through wrappers around the adapters, so admission can refuse a call the providers could
 * not serve in full. A call holds one stream for its whole life and renders one reply at a time on its
 * own TTS session, so the Cartesia figure a new call needs room in is the larger of the contexts open
 * and the sessions open: a call between two replies still needs its context back for the next one.
 */
export class ProviderCapacity {
  private readonly use: ProviderUse = { sttStreams: 0, ttsContexts: 0, ttsSessions: 0 };

  constructor(
    readonly limits: ProviderLimits,
    registry: client.Registry,
  ) {
    const self = this;
    new client.Gauge({
      name: 'callchart_provider_in_use',
      help: 'Speech provider capacity held by this process: deepgram streams, cartesia contexts and sessions',
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        const use = self.inUse();
        this.set({ resource: 'deepgram_streams' }, use.sttStreams);
        this.set({ resource: 'cartesia_contexts' }, use.ttsContexts);
        this.set({ resource: 'cartesia_sessions' }, use.ttsSessions);
      },
    });
    new client.Gauge({
      name: 'callchart_provider_limit',
      help: 'Configured provider limits (DEEPGRAM_MAX_STREAMS, CARTESIA_MAX_CONCURRENCY); 0 = none',
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        this.set({ resource: 'deepgram_streams' }, limits.sttStreams);
        this.set({ resource: 'cartesia_contexts' }, limits.ttsContexts);
      },
    });
  }

  inUse(): ProviderUse {
    return { ...this.use };
  }

  /**
   * Room for `pending` calls already admitted (not yet connected) plus one more, given `use` (this
   * process's own, or the sum a primary hears from its workers).
   */
  hasRoom(pending: number, use: ProviderUse = this.use): boolean {
    const { sttStreams, ttsContexts } = this.limits;
    if (sttStreams > 0 && use.sttStreams + pending >= sttStreams) return false;
    const tts = Math.max(use.ttsContexts, use.ttsSessions);
    return !(ttsContexts > 0 && tts + pending >= ttsContexts);
  }

  /** The STT adapter, counting each open stream until it closes (by us or by the far end). */
  countStt(inner: SttProvider): SttProvider {
    const use = this.use;
    return {
      name: inner.name,
      async open(options: SttOptions, onEvent: (e: SttEvent) => void, log: Logger): Promise<SttSession> {
        let held = true;
        use.sttStreams++;
        const release = () => {
          if (held) use.sttStreams--;
          held = false;
        };
        try {
          const session = await inner.open(
            options,
            (e) => {
              if (e.type === 'closed') release();
              onEvent(e);
            },
            log,
          );
          return {
            sendAudio: (chunk, voiced) => session.sendAudio(chunk, voiced),
            finalize: () => session.finalize(),
            close: () => session.close().finally(release),
            get isOpen() {
              return session.isOpen;
            },
          };
        } catch (err) {
          release();
          throw err;
        }
      },
    };
  }

  /** The TTS adapter, counting open sessions and open contexts (created until done, error or cancel). */
  countTts(inner: TtsProvider): TtsProvider {
    const use = this.use;
    const hold = () => {
      let held = true;
      use.ttsContexts++;
      return () => {
        if (held) use.ttsContexts--;
        held = false;
      };
    };
    return {
      name: inner.name,
      async open(options: TtsSessionOptions, log: Logger): Promise<TtsSession> {
        const session = await inner.open(options, log);
        let open = true;
        use.ttsSessions++;
        // A context left open when its session closes (a dropped socket) is released with it.
        const contexts = new Set<() => void>();
        const holdHere = () => {
          const release = hold();
          const once = () => {
            contexts.delete(once);
            release();
          };
          contexts.add(once);
          return once;
        };
        return {
          context(voice: TtsVoice, onEvent: (e: TtsEvent) => void): TtsContext {
            const release = holdHere();
            const ctx = session.context(voice, (e) => {
              if (e.type === 'done' || e.type === 'error') release();
              onEvent(e);
            });
            return {
              id: ctx.id,
              push: (text) => ctx.push(text),
              finish: () => ctx.finish(),
              cancel: () => {
                release();
                ctx.cancel();
              },
            };
          },
          async synthesize(text, voice) {
            const release = holdHere();
            try {
              return await session.synthesize(text, voice);
            } finally {
              release();
            }
          },
          async close() {
            if (open) use.ttsSessions--;
            open = false;
            for (const release of [...contexts]) release();
            await session.close();
          },
          recycle: (reason) => session.recycle(reason),
          get isOpen() {
            return session.isOpen;
          },
        };
      },
    };
  }
}

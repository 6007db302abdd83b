import { type CartesiaSim, type CartesiaSimOptions, startCartesiaSim } from '../../sim/cartesia/index.js';
import { rmsMulaw, rmsS16le } from '../../src/audio/energy.js';
import { silentLogger } from '../../src/log.js';
import { CartesiaTtsProvider } from '../../src/providers/tts/cartesia.js';
import type { TtsEvent, TtsSession, TtsSessionOptions, TtsVoice } from '../../src/providers/tts/types.js';

/** Fast but not instant: real sockets, real pacing, every knob explicit (no SIM_CARTESIA_* leaks in). */
export const FAST_SIM: CartesiaSimOptions = {
  env: {},
  timeToFirstAudioMs: 10,
  realTimeFactor: 0.02,
  chunkMs: 40,
  charsPerSecond: 15,
  defaultMaxBufferDelayMs: 0,
};

export const VOICE_EN: TtsVoice = { voiceId: 'sim-voice-en', language: 'en' };
export const VOICE_ES: TtsVoice = { voiceId: 'sim-voice-es', language: 'es' };

export const MULAW_8K: TtsSessionOptions = { modelId: 'sonic-3', encoding: 'pcm_mulaw', sampleRate: 8000 };
export const S16_8K: TtsSessionOptions = { modelId: 'sonic-3', encoding: 'pcm_s16le', sampleRate: 8000 };

export interface Rig {
  sim: CartesiaSim;
  provider: CartesiaTtsProvider;
  open(options?: TtsSessionOptions): Promise<TtsSession>;
  close(): Promise<void>;
}

export async function startRig(simOptions: CartesiaSimOptions = {}): Promise<Rig> {
  const sim = await startCartesiaSim({ ...FAST_SIM, ...simOptions });
  const provider = new CartesiaTtsProvider({ apiKey: 'sim-key', baseURL: sim.url });
  const sessions: TtsSession[] = [];
  return {
    sim,
    provider,
    async open(options = S16_8K) {
      const session = await provider.open(options, silentLogger);
      sessions.push(session);
      return session;
    },
    async close() {
      await Promise.all(sessions.map((s) => s.close()));
      await sim.close();
    },
  };
}

/** Records a context's events; `ended` resolves on its final event (done or error). */
export function recorder() {
  const events: TtsEvent[] = [];
  let settle!: (events: TtsEvent[]) => void;
  const ended = new Promise<TtsEvent[]>((resolve) => {
    settle = resolve;
  });
  const waiters: { type: TtsEvent['type']; resolve: () => void }[] = [];
  const onEvent = (e: TtsEvent): void => {
    events.push(e);
    for (const w of waiters.filter((x) => x.type === e.type)) w.resolve();
    if (e.type === 'done' || e.type === 'error') settle(events);
  };
  /** Resolves at the first event of this type (at once if one already came). */
  const first = (type: TtsEvent['type']): Promise<void> =>
    events.some((e) => e.type === type)
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ type, resolve }));
  const audio = (): Buffer => Buffer.concat(events.flatMap((e) => (e.type === 'audio' ? [e.audio] : [])));
  return { events, onEvent, ended, first, audio };
}

/** RMS of a whole reply, on the s16 scale. */
export function rmsOf(audio: Buffer, encoding: TtsSessionOptions['encoding']): number {
  return encoding === 'pcm_mulaw' ? rmsMulaw(audio) : rmsS16le(audio);
}

/** Share of 20 ms frames with speech-level energy: a VAD-style check that the audio is voiced. */
export function voicedShare(audio: Buffer, options: TtsSessionOptions): number {
  const bytesPerSample = options.encoding === 'pcm_mulaw' ? 1 : 2;
  const frame = (options.sampleRate / 50) * bytesPerSample;
  let voiced = 0;
  let frames = 0;
  for (let at = 0; at + frame <= audio.length; at += frame) {
    const rms =
      options.encoding === 'pcm_mulaw' ? rmsMulaw(audio, at, at + frame) : rmsS16le(audio, at, at + frame);
    if (rms > 500) voiced++;
    frames++;
  }
  return frames === 0 ? 0 : voiced / frames;
}

export function secondsOf(audio: Buffer, options: TtsSessionOptions): number {
  const bytesPerSample = options.encoding === 'pcm_mulaw' ? 1 : 2;
  return audio.length / bytesPerSample / options.sampleRate;
}

/** Polls a condition on simulator state (its work is asynchronous to the client's). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

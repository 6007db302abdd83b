/** Wire constants of the Cartesia TTS WebSocket, from docs/protocols/cartesia-tts.md. */

export const TTS_WEBSOCKET_PATH = '/tts/websocket';
export const TTS_BYTES_PATH = '/tts/bytes';
export const TTS_SSE_PATH = '/tts/sse';

/** §3: every server message of a live context carries HTTP-style 206 (the docs' `done` example too). */
export const STATUS_STREAMING = 206;

/** §2a: the encodings and rates of `output_format`; WebSocket and SSE are raw-only. */
export const ENCODINGS = ['pcm_s16le', 'pcm_mulaw', 'pcm_alaw', 'pcm_f32le'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
export type SampleRate = (typeof SAMPLE_RATES)[number];
export const BYTES_PER_SAMPLE: Record<Encoding, number> = {
  pcm_s16le: 2,
  pcm_mulaw: 1,
  pcm_alaw: 1,
  pcm_f32le: 4,
};

/**
 * The simulator's own cap on one input's transcript (the service's limit is not recorded): it keeps a
 * single message from asking for hours of audio. Frames over MAX_FRAME_BYTES are refused by `ws`.
 */
export const MAX_TRANSCRIPT_CHARS = 5000;
export const MAX_FRAME_BYTES = 1 << 20;

/** §2a / §6: Sonic-3 `generation_config` ranges. */
export const SPEED_RANGE = [0.6, 1.5] as const;
export const VOLUME_RANGE = [0.5, 2.0] as const;
/** §2a: `max_buffer_delay_ms` accepts 0–5000. */
export const MAX_BUFFER_DELAY_LIMIT_MS = 5000;

/** §6: the emotion names the SDK's `Emotion` type lists. */
export const EMOTIONS = new Set([
  'neutral',
  'happy',
  'excited',
  'enthusiastic',
  'elated',
  'euphoric',
  'triumphant',
  'amazed',
  'surprised',
  'flirtatious',
  'curious',
  'content',
  'peaceful',
  'serene',
  'calm',
  'grateful',
  'affectionate',
  'trust',
  'sympathetic',
  'anticipation',
  'mysterious',
  'angry',
  'mad',
  'outraged',
  'frustrated',
  'agitated',
  'threatened',
  'disgusted',
  'contempt',
  'envious',
  'sarcastic',
  'ironic',
  'sad',
  'dejected',
  'melancholic',
  'disappointed',
  'hurt',
  'guilty',
  'bored',
  'tired',
  'rejected',
  'nostalgic',
  'wistful',
  'apologetic',
  'hesitant',
  'insecure',
  'confused',
  'resigned',
  'anxious',
  'panicked',
  'alarmed',
  'scared',
  'proud',
  'confident',
  'distant',
  'skeptical',
  'contemplative',
  'determined',
]);

/** §4 item 7: the service closes a WebSocket idle for 5 minutes (close code UNVERIFIED; 1000 here). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
export const CLOSE_NORMAL = 1000;

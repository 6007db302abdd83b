/** Wire constants of Deepgram live STT v1, from docs/protocols/deepgram-live.md. */

export const LISTEN_V1_PATH = '/v1/listen';
/** Flux, the turn-based API (§2b). */
export const LISTEN_V2_PATH = '/v2/listen';

/** §5 item 8: the close reason real clients log for NET-0001. */
export const NET_0001_REASON =
  'Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001';
/** §5 item 10: server-side failure. The wording is the simulator's own (the real text is not recorded). */
export const NET_0000_REASON = 'Deepgram encountered an internal error (NET-0000, simulated fault)';

export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
/** §5 items 8 and 10: idle timeout and server failure both close with 1011. */
export const CLOSE_INTERNAL_ERROR = 1011;

/** §5 item 8: the real service closes after 10 s without any frame. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
/** §2a: `endpointing` defaults to 10 ms when the query does not set it. */
export const DEFAULT_ENDPOINTING_MS = 10;

/** §4b: `transaction_key` is always this literal today. */
export const TRANSACTION_KEY = 'deprecated';
export const SIM_MODEL_UUID = '00000000-0000-4000-8000-00000000d9a1';

/** Formats the simulator can decode; the others in §2a (flac, opus, …) would need real codecs. */
export const SUPPORTED_ENCODINGS = ['linear16', 'mulaw'] as const;
export type SupportedEncoding = (typeof SUPPORTED_ENCODINGS)[number];
export const BYTES_PER_SAMPLE: Record<SupportedEncoding, number> = { linear16: 2, mulaw: 1 };

/** §2a: every encoding the real service names; a known-but-unsupported one gets a clearer error. */
export const KNOWN_ENCODINGS = new Set([
  'linear16',
  'linear32',
  'flac',
  'alaw',
  'mulaw',
  'amr-nb',
  'amr-wb',
  'opus',
  'ogg-opus',
  'speex',
  'g729',
]);

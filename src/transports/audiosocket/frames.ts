/**
 * AudioSocket frame vocabulary: kinds, sizes and the typed frames the parser produces
 * (docs/protocols/audiosocket.md §2–§3).
 */

/** Header: kind (1 byte) + big-endian payload length (2 bytes), §2. */
export const HEADER_BYTES = 3;
/** The length field is 16 bits, so no payload can be longer (§2). */
export const MAX_PAYLOAD_BYTES = 65535;
/** The UUID frame carries the 16 binary bytes of the call UUID (§3, §5.1). */
export const UUID_PAYLOAD_BYTES = 16;

/** Message kinds, enum `ast_audiosocket_msg_kind` (§3). */
export const Kind = {
  /** S→A only: ends the session; no payload. Asterisk never sends it, it just closes (§7). */
  hangup: 0x00,
  /** A→S only, always the first frame. */
  uuid: 0x01,
  /**
   * 0x02 "silence" exists only as a Go-library constant; Asterisk never sends it and rejects it (§3),
   * so the parser treats it like any unknown kind (a protocol error), not as a frame.
   */
  silence: 0x02,
  /** A→S only (20.14+): one ASCII digit at the digit's end. */
  dtmf: 0x03,
  /** slin at 8 kHz: the only audio kind before 20.17 and what the AudioSocket() app always uses (§4.2). */
  slin8: 0x10,
  slin12: 0x11,
  slin16: 0x12,
  slin24: 0x13,
  slin32: 0x14,
  slin44: 0x15,
  slin48: 0x16,
  slin96: 0x17,
  slin192: 0x18,
  /** Never built by any Asterisk (§3.1); parsed leniently (first payload byte = code). */
  error: 0xff,
} as const;

/** Sample rate of each audio kind (0x11 is 12 kHz and 0x12 is 16 kHz, whatever early docs said, §3). */
const RATE_BY_KIND: ReadonlyMap<number, number> = new Map([
  [Kind.slin8, 8000],
  [Kind.slin12, 12000],
  [Kind.slin16, 16000],
  [Kind.slin24, 24000],
  [Kind.slin32, 32000],
  [Kind.slin44, 44100],
  [Kind.slin48, 48000],
  [Kind.slin96, 96000],
  [Kind.slin192, 192000],
]);
const KIND_BY_RATE: ReadonlyMap<number, number> = new Map([...RATE_BY_KIND].map(([k, r]) => [r, k]));

export type SampleRate = 8000 | 12000 | 16000 | 24000 | 32000 | 44100 | 48000 | 96000 | 192000;

export const SAMPLE_RATES: readonly SampleRate[] = [...KIND_BY_RATE.keys()] as SampleRate[];

/** Sample rate of an audio kind, or undefined when `kind` is not an audio kind. */
export function sampleRateOfKind(kind: number): SampleRate | undefined {
  return RATE_BY_KIND.get(kind) as SampleRate | undefined;
}

/** Audio kind for a sample rate. */
export function audioKindOfRate(sampleRate: SampleRate): number {
  return KIND_BY_RATE.get(sampleRate)!;
}

export function isSampleRate(rate: number): rate is SampleRate {
  return KIND_BY_RATE.has(rate);
}

export type DtmfDigit =
  | '0'
  | '1'
  | '2'
  | '3'
  | '4'
  | '5'
  | '6'
  | '7'
  | '8'
  | '9'
  | '*'
  | '#'
  | 'A'
  | 'B'
  | 'C'
  | 'D';

const DTMF_DIGITS: ReadonlySet<string> = new Set('0123456789*#ABCD');

export function isDtmfDigit(value: string): value is DtmfDigit {
  return value.length === 1 && DTMF_DIGITS.has(value);
}

export type Frame =
  | { kind: 'hangup' }
  | { kind: 'uuid'; uuid: string }
  | { kind: 'dtmf'; digit: DtmfDigit }
  | { kind: 'audio'; sampleRate: SampleRate; payload: Buffer }
  /** `code` is the first payload byte (0x01 caller hung up, 0x02 forwarding, 0x04 memory, §3.1). */
  | { kind: 'error'; code: number | null };

export type ProtocolErrorCode =
  | 'unknown-kind'
  | 'bad-uuid-length'
  | 'bad-audio-length'
  | 'bad-dtmf'
  | 'bad-hangup-length'
  | 'length-over-limit'
  | 'truncated'
  /** A well-formed frame of a kind this direction must not carry (0x01, 0x03 or 0xFF to Asterisk, §7). */
  | 'kind-not-allowed'
  // Session rules, checked by the connection rather than the parser (§13):
  | 'first-frame-not-uuid'
  | 'unexpected-uuid'
  | 'duplicate-uuid'
  | 'uuid-timeout';

/** A protocol violation, returned as a value (never thrown) so the owner can end just that call. */
export interface ProtocolError {
  readonly code: ProtocolErrorCode;
  readonly message: string;
  readonly kind?: number;
  readonly length?: number;
}

export function protocolError(
  code: ProtocolErrorCode,
  message: string,
  kind?: number,
  length?: number,
): ProtocolError {
  return {
    code,
    message,
    ...(kind === undefined ? {} : { kind }),
    ...(length === undefined ? {} : { length }),
  };
}

export function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 16 binary bytes → lowercase 8-4-4-4-12, the bytes in the order of the hex digits (§5.1). */
export function uuidFromBytes(bytes: Uint8Array): string {
  const h = Buffer.from(bytes.buffer, bytes.byteOffset, UUID_PAYLOAD_BYTES).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Canonical UUID string (either case) → its 16 bytes. Throws on a malformed string (a caller bug). */
export function uuidToBytes(uuid: string): Buffer {
  if (!UUID_RE.test(uuid)) throw new RangeError(`not a canonical UUID: ${uuid}`);
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

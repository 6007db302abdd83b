/**
 * The simulated Asterisk's own AudioSocket codec (docs/protocols/audiosocket.md §2–§5), written apart from
 * the product's FrameParser and serializer on purpose: the fake peer must not share the code it is testing,
 * so a codec bug cannot hide on both ends (test/audiosocket/wire.property.test.ts checks the two against each
 * other). Hand-written because no npm package speaks AudioSocket, and it is a 3-byte header: one byte of
 * kind, a big-endian 16-bit length.
 */

export const WIRE_HEADER_BYTES = 3;
const MAX_LENGTH = 0xffff;

/** The kinds Asterisk itself writes or accepts (§3). */
export const WireKind = { hangup: 0x00, uuid: 0x01, dtmf: 0x03, error: 0xff } as const;

/** Audio kinds 0x10–0x18 and their rates (0x11 is 12 kHz, 0x12 is 16 kHz; §3). */
const RATES = [8000, 12000, 16000, 24000, 32000, 44100, 48000, 96000, 192000] as const;
const FIRST_AUDIO_KIND = 0x10;

export function wireAudioKind(sampleRate: number): number {
  const i = RATES.indexOf(sampleRate as (typeof RATES)[number]);
  if (i < 0) throw new RangeError(`no AudioSocket kind for ${sampleRate} Hz`);
  return FIRST_AUDIO_KIND + i;
}

/** The rate of an audio kind, or undefined for any other kind. */
export function wireRateOfKind(kind: number): number | undefined {
  return RATES[kind - FIRST_AUDIO_KIND];
}

/** Writes kind and big-endian length into the first 3 bytes of `target`. */
export function wireHeader(target: Buffer, kind: number, length: number): void {
  if (length > MAX_LENGTH) throw new RangeError(`payload of ${length} bytes`);
  target[0] = kind;
  target.writeUInt16BE(length, 1);
}

/** Header and payload in one buffer, for one socket write per frame (§6). */
export function wireFrame(kind: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(WIRE_HEADER_BYTES + payload.length);
  wireHeader(out, kind, payload.length);
  out.set(payload, WIRE_HEADER_BYTES);
  return out;
}

/** The first frame: the 16 UUID bytes in the order of the hex digits (§5.1). */
export function wireUuidFrame(uuid: string): Buffer {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return wireFrame(WireKind.uuid, Buffer.from(hex, 'hex'));
}

/** `03 00 01 <ascii>` (§5.1). */
export function wireDtmfFrame(digit: string): Buffer {
  return wireFrame(WireKind.dtmf, Buffer.from(digit, 'latin1'));
}

const silence = new Map<string, Buffer>();

/** A cached frame of digital silence; shared, so never mutate it. */
export function wireSilenceFrame(sampleRate: number, payloadBytes: number): Buffer {
  const key = `${sampleRate}/${payloadBytes}`;
  let frame = silence.get(key);
  if (!frame) {
    frame = wireFrame(wireAudioKind(sampleRate), Buffer.alloc(payloadBytes));
    silence.set(key, frame);
  }
  return frame;
}

export interface WireFrame {
  kind: number;
  payload: Buffer;
}

/**
 * Splits a byte stream into raw frames, whatever the TCP chunking. It checks nothing about kinds or
 * lengths (the peer applies Asterisk's rules to what it gets); at most one partial frame (≤ 64 KiB
 * plus the header) is ever held.
 */
export class WireReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): WireFrame[] {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: WireFrame[] = [];
    while (data.length >= WIRE_HEADER_BYTES) {
      const length = data.readUInt16BE(1);
      const end = WIRE_HEADER_BYTES + length;
      if (data.length < end) break;
      frames.push({ kind: data[0]!, payload: data.subarray(WIRE_HEADER_BYTES, end) });
      data = data.subarray(end);
    }
    this.pending = data;
    return frames;
  }
}

import {
  audioKindOfRate,
  type Frame,
  HEADER_BYTES,
  Kind,
  MAX_PAYLOAD_BYTES,
  type SampleRate,
  uuidToBytes,
} from './frames.js';

/**
 * `00 00 00`: the server's way to end a session (docs/protocols/audiosocket.md §7). Shared; never mutate it.
 */
export const HANGUP_FRAME: Buffer = Buffer.from([Kind.hangup, 0, 0]);

/** Writes a 3-byte header at the start of `target` (kind, big-endian length, §2). */
export function writeHeader(target: Buffer, kind: number, length: number): void {
  if (length > MAX_PAYLOAD_BYTES)
    throw new RangeError(`payload of ${length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  target[0] = kind;
  target[1] = length >> 8;
  target[2] = length & 0xff;
}

/** Header + payload in one buffer, so each frame goes out in one socket write (§6). */
function withPayload(kind: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  writeHeader(out, kind, payload.length);
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * One frame as wire bytes (hand-written, as the parser: no AudioSocket package exists). Throws RangeError for a payload over 65 535 bytes: callers build frames
 * from their own data, so that is a bug, not input to tolerate.
 */
export function serializeFrame(frame: Frame): Buffer {
  switch (frame.kind) {
    case 'hangup':
      return Buffer.from(HANGUP_FRAME);
    case 'uuid':
      return withPayload(Kind.uuid, uuidToBytes(frame.uuid));
    case 'dtmf':
      return withPayload(Kind.dtmf, Buffer.from(frame.digit, 'ascii'));
    case 'audio':
      return withPayload(audioKindOfRate(frame.sampleRate), frame.payload);
    case 'error':
      return withPayload(Kind.error, frame.code === null ? Buffer.alloc(0) : Buffer.from([frame.code]));
  }
}

const silenceFrames = new Map<string, Buffer>();

/**
 * A frame of digital silence, cached per rate and size: idle calls send one every 20 ms (§6
 * keep-alive), and a shared read-only buffer makes that free.
 */
export function silenceFrame(sampleRate: SampleRate, payloadBytes: number): Buffer {
  const key = `${sampleRate}/${payloadBytes}`;
  let frame = silenceFrames.get(key);
  if (!frame) {
    frame = Buffer.alloc(HEADER_BYTES + payloadBytes);
    writeHeader(frame, audioKindOfRate(sampleRate), payloadBytes);
    silenceFrames.set(key, frame);
  }
  return frame;
}

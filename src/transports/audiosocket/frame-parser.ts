import {
  type Frame,
  HEADER_BYTES,
  hex,
  isDtmfDigit,
  Kind,
  MAX_PAYLOAD_BYTES,
  type ProtocolError,
  protocolError,
  sampleRateOfKind,
  UUID_PAYLOAD_BYTES,
  uuidFromBytes,
} from './frames.js';

export interface FrameParserOptions {
  /**
   * Longest payload accepted (default 65 535, the most the length field can say). A server can be
   * stricter: 20 ms at 192 kHz is 7 680 bytes, so nothing sane from Asterisk comes near 64 KiB.
   */
  maxPayloadBytes?: number;
  /**
   * Skip invalid frames instead of failing, the way Asterisk ≤ 20.13 "reads and ignores" them
   * (docs/protocols/audiosocket.md §7). Used by the fake Asterisk's legacy mode. A truncated stream is still
   * an error.
   */
  lenient?: boolean;
}

export interface ParseResult {
  frames: Frame[];
  /** Set once the stream is invalid; the parser then ignores further input. */
  error?: ProtocolError;
  /** Lenient mode only: the invalid frames that were skipped. */
  ignored?: ProtocolError[];
}

/** Called with each frame as it completes. */
export type FrameSink = (frame: Frame) => void;

const READ_HEADER = 0;
const READ_PAYLOAD = 1;
const SKIP_PAYLOAD = 2;
const FAILED = 3;

const EMPTY = Buffer.alloc(0);

/**
 * Incremental AudioSocket frame parser (§2), shaped like ws's receiver: chunks are kept in a list
 * with a running byte count and a read offset into the first, and `consume(n)` returns exactly n
 * bytes, copying only when a frame straddles chunks (a payload inside one chunk is a zero-copy view
 * of it, and a chunk that is one whole payload is handed on as is). Violations are returned as
 * `ProtocolError` values, never thrown, and are detected from the header when possible, so a bad
 * length is rejected before its payload is buffered. `parse` hands frames to a callback, so a caller
 * frame costs its payload view and its frame object and nothing else; `push` collects them.
 * Hand-written: no npm package speaks AudioSocket, and the format is a 3-byte header.
 */
export class FrameParser {
  private readonly maxPayloadBytes: number;
  private readonly lenient: boolean;
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already read. */
  private offset = 0;
  private buffered = 0;
  private state = READ_HEADER;
  private kind = 0;
  private length = 0;
  private failure: ProtocolError | undefined;

  constructor(opts: FrameParserOptions = {}) {
    this.maxPayloadBytes = Math.min(opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES);
    this.lenient = opts.lenient ?? false;
  }

  /** Feeds bytes; returns every frame completed by them, and an error if the stream went bad. */
  push(chunk: Buffer): ParseResult {
    const frames: Frame[] = [];
    const ignored: ProtocolError[] = [];
    const error = this.parse(
      chunk,
      (frame) => frames.push(frame),
      (bad) => ignored.push(bad),
    );
    if (error) return { frames, error };
    return ignored.length > 0 ? { frames, ignored } : { frames };
  }

  /**
   * Feeds bytes; each frame they complete goes to `onFrame` as it is parsed. Returns the error if
   * the stream is (or went) bad: frames before the violation were delivered, none after. Lenient
   * mode tells `onIgnored` of each invalid frame it skips.
   */
  parse(
    chunk: Buffer,
    onFrame: FrameSink,
    onIgnored?: (error: ProtocolError) => void,
  ): ProtocolError | undefined {
    if (this.failure) return this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.state === READ_HEADER) {
        if (this.buffered < HEADER_BYTES) break;
        this.kind = this.byteAt(0);
        this.length = (this.byteAt(1) << 8) | this.byteAt(2);
        this.discard(HEADER_BYTES);
        const bad = this.checkHeader(this.kind, this.length);
        if (bad) {
          if (!this.lenient) return this.fail(bad);
          onIgnored?.(bad);
          this.state = SKIP_PAYLOAD;
          continue;
        }
        this.state = READ_PAYLOAD;
      } else if (this.state === READ_PAYLOAD) {
        if (this.buffered < this.length) break;
        const payload = this.length === 0 ? EMPTY : this.consume(this.length);
        this.state = READ_HEADER;
        const frame = buildFrame(this.kind, payload);
        if ('message' in frame) {
          if (!this.lenient) return this.fail(frame);
          onIgnored?.(frame);
          continue;
        }
        onFrame(frame);
      } else {
        // SKIP_PAYLOAD: discard without buffering, however long the bad frame claims to be.
        const n = Math.min(this.length, this.buffered);
        this.discard(n);
        this.length -= n;
        if (this.length > 0) break;
        this.state = READ_HEADER;
      }
    }
    return undefined;
  }

  /** The stream closed: an error if it stopped inside a frame. */
  end(): ProtocolError | null {
    if (this.failure) return null; // already reported
    const inFrame = this.state !== READ_HEADER || this.buffered > 0;
    if (!inFrame) return null;
    const need = this.state === READ_HEADER ? HEADER_BYTES : this.length;
    this.failure = protocolError(
      'truncated',
      `stream ended inside a frame (${this.buffered} of ${need} bytes of the ${this.state === READ_HEADER ? 'header' : 'payload'})`,
      this.state === READ_HEADER ? undefined : this.kind,
      this.state === READ_HEADER ? undefined : this.length,
    );
    this.state = FAILED;
    return this.failure;
  }

  private checkHeader(kind: number, length: number): ProtocolError | null {
    if (length > this.maxPayloadBytes) {
      return protocolError(
        'length-over-limit',
        `${hex(kind)} frame of ${length} bytes exceeds the ${this.maxPayloadBytes}-byte limit`,
        kind,
        length,
      );
    }
    if (sampleRateOfKind(kind) !== undefined) {
      // Asterisk sets samples = length / 2, so an odd byte is lost; zero-length audio is an error (§4.4, §7).
      if (length === 0 || length % 2 !== 0) {
        return protocolError(
          'bad-audio-length',
          `audio frame of ${length} bytes (must be even, > 0)`,
          kind,
          length,
        );
      }
      return null;
    }
    switch (kind) {
      case Kind.hangup:
        return length === 0
          ? null
          : protocolError('bad-hangup-length', `hangup frame with ${length} payload bytes`, kind, length);
      case Kind.uuid:
        return length === UUID_PAYLOAD_BYTES
          ? null
          : protocolError('bad-uuid-length', `UUID frame of ${length} bytes (must be 16)`, kind, length);
      case Kind.dtmf:
        return length === 1
          ? null
          : protocolError('bad-dtmf', `DTMF frame of ${length} bytes (must be 1)`, kind, length);
      case Kind.error:
        return null;
      default:
        return protocolError('unknown-kind', `unknown frame kind ${hex(kind)}`, kind, length);
    }
  }

  private fail(error: ProtocolError): ProtocolError {
    this.failure = error;
    this.state = FAILED;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    return error;
  }

  /** Byte `i` of the buffered stream (the header may straddle chunks). */
  private byteAt(i: number): number {
    i += this.offset;
    for (const chunk of this.chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    throw new RangeError('byteAt past the buffered bytes'); // unreachable: callers check `buffered`
  }

  private discard(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const left = this.chunks[0]!.length - this.offset;
      if (n < left) {
        this.offset += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.offset = 0;
    }
  }

  private consume(n: number): Buffer {
    const head = this.chunks[0]!;
    const start = this.offset;
    if (n <= head.length - start) {
      this.buffered -= n;
      if (start + n === head.length) {
        this.chunks.shift();
        this.offset = 0;
      } else this.offset += n;
      return start === 0 && n === head.length ? head : head.subarray(start, start + n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(n - filled, chunk.length - this.offset);
      chunk.copy(out, filled, this.offset, this.offset + take);
      filled += take;
      if (this.offset + take === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      } else this.offset += take;
    }
    this.buffered -= n;
    return out;
  }
}

/** Header already validated; only payload content (the DTMF character) can still be wrong. */
function buildFrame(kind: number, payload: Buffer): Frame | ProtocolError {
  const sampleRate = sampleRateOfKind(kind);
  if (sampleRate !== undefined) return { kind: 'audio', sampleRate, payload };
  switch (kind) {
    case Kind.hangup:
      return { kind: 'hangup' };
    case Kind.uuid:
      return { kind: 'uuid', uuid: uuidFromBytes(payload) };
    case Kind.dtmf: {
      const digit = String.fromCharCode(payload[0]!);
      return isDtmfDigit(digit)
        ? { kind: 'dtmf', digit }
        : protocolError('bad-dtmf', `DTMF byte ${hex(payload[0]!)} is not 0-9 * # A-D`, kind, 1);
    }
    default:
      return { kind: 'error', code: payload.length > 0 ? payload[0]! : null };
  }
}

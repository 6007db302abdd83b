/** `res_agi.c` reads each line into an 8192-byte buffer (AGI_BUF_LEN, docs/protocols/agi.md §3.1). */
export const AGI_MAX_LINE_BYTES = 8192;

const LF = 0x0a;

export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
}

/**
 * Splits a byte stream into LF-terminated lines, decoding each complete line as UTF-8 (so a multi-byte
 * character split across TCP chunks stays whole). A CR before the LF is *kept*: AGI treats it as data
 * (docs/protocols/agi.md §3.1), and the peer decides what it means. Over-long lines are an error, not a
 * memory leak. Not node:readline or split2: both treat CR LF as a line end and drop the CR.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;

  constructor(private readonly maxLineBytes = AGI_MAX_LINE_BYTES) {}

  /** Complete lines in this chunk (without their LF). Throws LineTooLongError. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, lf);
      this.checkLength(piece.length);
      lines.push(
        this.parts.length ? Buffer.concat([...this.parts, piece]).toString('utf8') : piece.toString('utf8'),
      );
      this.parts = [];
      this.partBytes = 0;
      start = lf + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.checkLength(rest.length);
      this.parts.push(rest);
      this.partBytes += rest.length;
    }
    return lines;
  }

  /** Bytes received after the last LF. */
  get pendingBytes(): number {
    return this.partBytes;
  }

  private checkLength(extra: number): void {
    if (this.partBytes + extra > this.maxLineBytes) {
      throw new LineTooLongError(`line longer than ${this.maxLineBytes} bytes`);
    }
  }
}

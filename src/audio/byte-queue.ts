/**
 * FIFO of byte chunks (agent audio waiting to be paced out, caller audio waiting to be sent by the
 * fake Asterisk). Pushing keeps a reference to the caller's buffer; taking copies straight into the
 * outgoing frame, so each byte is copied once, which is why it is ours and not a generic queue package.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Read position inside chunks[0]. */
  private offset = 0;
  private total = 0;

  /** Bytes queued. */
  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Moves up to `max` bytes into `target` at `at`; returns how many were moved. */
  takeInto(target: Uint8Array, at: number, max: number): number {
    let moved = 0;
    while (moved < max && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      const n = Math.min(max - moved, head.length - this.offset);
      head.copy(target, at + moved, this.offset, this.offset + n);
      moved += n;
      this.offset += n;
      if (this.offset === head.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.total -= moved;
    return moved;
  }

  /** Drops everything; returns how many bytes were dropped. */
  clear(): number {
    const dropped = this.total;
    this.chunks = [];
    this.offset = 0;
    this.total = 0;
    return dropped;
  }
}

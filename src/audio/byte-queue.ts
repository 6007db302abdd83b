/**
 * Fixed-size blocks shared by every `ByteQueue` in the process. A TTS reply arrives several times
 * faster than it plays, so its chunks would wait seconds in the queue: long enough to be promoted to
 * V8's old generation, one Buffer per 40 ms chunk, and to pin the chunks' 8 KiB pool slabs. Copying
 * them into pooled blocks lets the chunks die young, and drained blocks are reused, not collected.
 */
export class BlockPool {
  private readonly free: Uint8Array[] = [];

  constructor(
    readonly blockBytes = 4096,
    /** Free blocks kept for reuse (the rest go to the GC): 2048 × 4 KiB = 8 MiB at most, idle. */
    private readonly maxFree = 2048,
  ) {}

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(this.blockBytes);
  }

  give(block: Uint8Array): void {
    if (this.free.length < this.maxFree) this.free.push(block);
  }

  /** Blocks waiting for reuse. */
  get freeBlocks(): number {
    return this.free.length;
  }
}

const sharedPool = new BlockPool();

/**
 * Copies `n` bytes. Short runs (a frame's worth) byte by byte: in Node 20 `set(subarray())` and
 * `Buffer#copy` both allocate a view per call, which per frame is the garbage this file avoids.
 */
function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n >= 1024) {
    dst.set(from === 0 && n === src.length ? src : src.subarray(from, from + n), to);
    return;
  }
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
}

/**
 * FIFO of bytes (agent audio waiting to be paced out, caller audio waiting to be sent by the fake
 * Asterisk). Pushing copies the bytes into pooled blocks (the caller's buffer is not kept); taking
 * copies straight into the outgoing frame. Ours, not a generic queue package, for those two copies
 * and no allocation per chunk.
 */
export class ByteQueue {
  /** Blocks in order; the first is read from `readAt`, the last written up to `writeAt`. */
  private readonly blocks: Uint8Array[] = [];
  private readAt = 0;
  private writeAt = 0;
  private total = 0;

  constructor(private readonly pool: BlockPool = sharedPool) {}

  /** Bytes queued. */
  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.length) {
      let tail = this.blocks[this.blocks.length - 1];
      if (tail === undefined || this.writeAt === tail.length) {
        tail = this.pool.take();
        this.blocks.push(tail);
        this.writeAt = 0;
      }
      const n = Math.min(chunk.length - from, tail.length - this.writeAt);
      copyBytes(chunk, from, tail, this.writeAt, n);
      this.writeAt += n;
      from += n;
    }
    this.total += chunk.length;
  }

  /** Moves up to `max` bytes into `target` at `at`; returns how many were moved. */
  takeInto(target: Uint8Array, at: number, max: number): number {
    let moved = 0;
    while (moved < max && this.total > 0) {
      const head = this.blocks[0]!;
      const end = this.blocks.length === 1 ? this.writeAt : head.length;
      const n = Math.min(max - moved, end - this.readAt);
      copyBytes(head, this.readAt, target, at + moved, n);
      moved += n;
      this.readAt += n;
      this.total -= n;
      if (this.readAt === end) this.releaseHead();
    }
    return moved;
  }

  /** Drops everything; returns how many bytes were dropped. */
  clear(): number {
    const dropped = this.total;
    while (this.blocks.length > 0) this.releaseHead();
    this.total = 0;
    return dropped;
  }

  /** The first block is spent: back to the pool. An emptied queue starts its next block afresh. */
  private releaseHead(): void {
    const head = this.blocks.shift();
    if (head) this.pool.give(head);
    this.readAt = 0;
    if (this.blocks.length === 0) this.writeAt = 0;
  }
}

import { rmsMulaw, rmsS16le, VOICED_RMS } from '../audio/energy.js';
import { BargeInDetector, type BargeInOptions } from './barge-in.js';
import type { CallLine } from './call-line.js';

/** Caller audio kept while the STT socket is (re)opening: the caller may talk over the greeting. */
const STT_BUFFER_MS = 3000;

/** Where caller audio goes after the echo gate: the STT session once it is open. */
export interface CallerAudioSink {
  sendAudio(chunk: Buffer): void;
}

/**
 * The caller's side of the data plane. Every frame is measured; while the agent is audible it goes
 * through the barge-in detector, and frames outside a speech run reach the STT as digital silence (so
 * echo never reaches the transcript and the STT's clock stays continuous). Until the STT session is
 * attached, frames wait in a bounded buffer.
 */
export class CallerAudio {
  private readonly detector: BargeInDetector;
  private readonly silence: Buffer;
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private sink: CallerAudioSink | undefined;
  private closed = false;
  /** Caller audio received so far, in ms: the clock end-of-turn silences are measured on. */
  private audioMs = 0;
  /**
   * Told of every frame whether it carried the caller's voice (end-of-turn timing), and when, in
   * caller-audio time: frames that arrive in a burst after a network or scheduling hiccup still
   * count as the silence or speech they carry, never as more or less.
   */
  onVoice: ((voiced: boolean, atAudioMs: number) => void) | undefined;

  constructor(
    private readonly line: CallLine,
    bargeIn: BargeInOptions,
    /** Called when the caller talks over audible agent audio for long enough. */
    private readonly onBargeIn: () => void,
  ) {
    this.detector = new BargeInDetector(bargeIn);
    const { format } = line;
    this.silence = Buffer.alloc(format.frameBytes * 3, format.encoding === 'mulaw' ? 0xff : 0);
  }

  /** The STT session is open: flush what was said meanwhile, then stream. */
  attach(sink: CallerAudioSink): void {
    this.sink = sink;
    for (const chunk of this.pending.splice(0)) sink.sendAudio(chunk);
    this.pendingBytes = 0;
  }

  /** The STT session is gone (redialling, or closed): buffer again. */
  detach(): void {
    this.sink = undefined;
  }

  /** A new speaker started: its barge-in run starts from scratch. */
  resetDetector(): void {
    this.detector.reset();
  }

  close(): void {
    this.closed = true;
    this.sink = undefined;
    this.pending.length = 0;
  }

  onFrame(frame: Buffer): void {
    if (this.closed) return;
    const { line } = this;
    const rms = line.format.encoding === 'mulaw' ? rmsMulaw(frame) : rmsS16le(frame);
    const frameMs = frame.length / line.bytesPerMs;
    // The agent is audible while its audio plays and briefly after (the echo tail).
    const agentRms = line.transport.recentOutputRms(250);
    const agentAudible = agentRms > 0 || line.transport.queuedMs() > 0;
    let toStt = frame;
    let voiced: boolean;
    if (agentAudible && line.transport.bargeIn === false) {
      // No barge-in on this line: the caller cannot interrupt, and echo must not reach the STT.
      this.detector.reset();
      voiced = false;
      toStt = this.silence.subarray(0, frame.length);
    } else if (agentAudible) {
      const verdict = this.detector.onFrame(rms, frameMs, agentRms);
      voiced = verdict !== 'quiet';
      if (!voiced) toStt = this.silence.subarray(0, frame.length);
      if (verdict === 'barge-in' && line.speaker) {
        line.bargeInAt = line.now();
        this.onBargeIn();
      }
    } else {
      this.detector.reset();
      voiced = rms > VOICED_RMS;
    }
    if (voiced) line.lastVoicedAt = line.now();
    this.audioMs += frameMs;
    this.onVoice?.(voiced, this.audioMs);
    if (this.sink) this.sink.sendAudio(toStt);
    else this.buffer(toStt);
  }

  private buffer(frame: Buffer): void {
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    while (this.pendingBytes > STT_BUFFER_MS * this.line.bytesPerMs) {
      this.pendingBytes -= this.pending.shift()?.length ?? 0;
    }
  }
}

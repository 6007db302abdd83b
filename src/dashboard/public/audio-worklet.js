// AudioWorklet processors for the browser test call; the AudioContext runs at 16 kHz, so samples here
// are already at the call's rate.

const FRAME_SAMPLES = 320; // 20 ms at 16 kHz
const MAX_BUFFERED_SAMPLES = 16000 * 30; // the player never holds more than 30 s
const REPORT_EVERY_SAMPLES = 1600; // 100 ms

/** Microphone -> 20 ms s16le frames posted to the page (which sends them on the WebSocket). */
class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.frame = new Int16Array(FRAME_SAMPLES);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const s = Math.max(-1, Math.min(1, channel[i]));
      this.frame[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === FRAME_SAMPLES) {
        this.port.postMessage(this.frame.buffer, [this.frame.buffer]);
        this.frame = new Int16Array(FRAME_SAMPLES);
        this.filled = 0;
      }
    }
    return true;
  }
}

/**
 * Agent audio from the server -> the speakers. Counts what it actually played (and what a `clear`
 * dropped) and reports both, so the server knows what the caller heard when they interrupt.
 */
class PlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    this.played = 0;
    this.dropped = 0;
    this.sinceReport = 0;
    this.port.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'audio') {
        const samples = new Int16Array(m.pcm);
        if (this.buffered + samples.length > MAX_BUFFERED_SAMPLES) return;
        this.chunks.push(samples);
        this.buffered += samples.length;
      } else if (m.type === 'clear') {
        this.dropped += this.buffered;
        this.chunks = [];
        this.offset = 0;
        this.buffered = 0;
        this.report();
      }
    };
  }

  report() {
    this.sinceReport = 0;
    this.port.postMessage({ type: 'played', ms: this.played / 16, droppedMs: this.dropped / 16 });
  }

  process(_inputs, outputs) {
    const out = outputs[0]?.[0];
    if (!out) return true;
    let i = 0;
    let playedNow = 0;
    while (i < out.length && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const n = Math.min(out.length - i, chunk.length - this.offset);
      for (let k = 0; k < n; k++) out[i + k] = chunk[this.offset + k] / 32768;
      i += n;
      this.offset += n;
      playedNow += n;
      if (this.offset >= chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    for (; i < out.length; i++) out[i] = 0;
    if (playedNow > 0) {
      this.played += playedNow;
      this.buffered -= playedNow;
      this.sinceReport += playedNow;
      if (this.sinceReport >= REPORT_EVERY_SAMPLES || this.buffered === 0) this.report();
    }
    return true;
  }
}

registerProcessor('capture', CaptureProcessor);
registerProcessor('player', PlayerProcessor);

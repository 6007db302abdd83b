import { createServer, type Socket } from 'node:net';
import { rmsS16le } from '../src/audio/energy.js';
import { FrameParser } from '../src/transports/audiosocket/frame-parser.js';
import { FrameScheduler, type ScheduledStream } from '../src/transports/audiosocket/frame-scheduler.js';
import { HANGUP_FRAME, silenceFrame, writeHeader } from '../src/transports/audiosocket/frame-serializer.js';
import { HEADER_BYTES } from '../src/transports/audiosocket/frames.js';

/**
 * The floor: the least an AudioSocket voice agent can do. Per call it reads frames, finds the end of
 * each caller utterance by energy, waits the fixed provider delays, answers with a tone, stops the
 * tone when the caller talks over it, and paces one frame per 20 ms (silence while idle) on one shared
 * clock. No STT/LLM/TTS sockets, no statechart, no store: whatever callchart costs beyond this is its own.
 */
export interface FloorServerOptions {
  port?: number;
  /** Endpointing silence, then STT final + LLM TTFT + TTS TTFA: the same as the simulators'. */
  endpointingMs: number;
  replyDelayMs: number;
  greetingMs: number;
  replyMs: number;
  /** The caller's script length: after answering this many utterances, hang up (as callchart does). */
  linesPerCall: number;
}

// 20 ms of 8 kHz slin, the AudioSocket() app's format (docs/protocols/audiosocket.md §4.2).
const FRAME_BYTES = 320;
const FRAME_MS = 20;
const VOICED_RMS = 300; // the Deepgram simulator's threshold
const MIN_SPEECH_FRAMES = 4; // 80 ms, the Deepgram simulator's minSpeechMs

export async function startFloorServer(opts: FloorServerOptions) {
  const scheduler = new FrameScheduler();
  const tone = makeTone(Math.max(opts.greetingMs, opts.replyMs));
  const server = createServer((socket) => floorCall(socket, scheduler, tone, opts));
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function floorCall(socket: Socket, scheduler: FrameScheduler, tone: Buffer, opts: FloorServerOptions): void {
  socket.setNoDelay(true);
  const parser = new FrameParser();
  const endFrames = Math.ceil(opts.endpointingMs / FRAME_MS);
  let stream: ScheduledStream | null = null;
  let playing = 0; // bytes of tone left to play
  let voiced = 0;
  let silent = 0;
  let inSpeech = false;
  let answered = 0;
  let hangUpWhenDone = false;
  const timers = new Set<NodeJS.Timeout>();

  const sendFrame = () => {
    if (playing === 0) {
      if (hangUpWhenDone) return end();
      socket.write(silenceFrame(8000, FRAME_BYTES));
      return;
    }
    const frame = Buffer.allocUnsafe(HEADER_BYTES + FRAME_BYTES);
    writeHeader(frame, 0x10, FRAME_BYTES);
    const from = tone.length - playing;
    tone.copy(frame, HEADER_BYTES, from, from + FRAME_BYTES);
    playing -= FRAME_BYTES;
    socket.write(frame);
  };
  const play = (ms: number) => {
    playing = Math.floor(ms / FRAME_MS) * FRAME_BYTES;
    // Like callchart's pacer: the first frame of a reply leaves at once, the clock re-phases to it.
    sendFrame();
    if (stream) scheduler.rephase(stream, scheduler.clock.now() + FRAME_MS);
  };
  const end = () => {
    if (stream) scheduler.remove(stream);
    stream = null;
    for (const t of timers) clearTimeout(t);
    if (!socket.destroyed) socket.end(HANGUP_FRAME);
  };
  const onUtteranceEnd = () => {
    const last = ++answered >= opts.linesPerCall;
    const timer = setTimeout(() => {
      timers.delete(timer);
      play(opts.replyMs);
      hangUpWhenDone = last;
    }, opts.replyDelayMs);
    timers.add(timer);
  };

  socket.on('data', (chunk: Buffer) => {
    const { frames, error } = parser.push(chunk);
    for (const frame of frames) {
      if (frame.kind === 'uuid' && !stream) {
        stream = scheduler.add(sendFrame);
        play(opts.greetingMs);
      } else if (frame.kind === 'audio') {
        if (rmsS16le(frame.payload) > VOICED_RMS) {
          silent = 0;
          if (++voiced === MIN_SPEECH_FRAMES && !inSpeech) {
            inSpeech = true;
            playing = 0; // barge-in: the caller talks over the tone
          }
        } else if (inSpeech && ++silent >= endFrames) {
          inSpeech = false;
          voiced = 0;
          onUtteranceEnd();
        } else if (!inSpeech) voiced = 0;
      }
    }
    if (error) socket.destroy();
  });
  socket.on('close', end);
  socket.on('error', () => socket.destroy());
}

/** A 440 Hz tone at about -12 dBFS: clearly voiced to the caller's 300-RMS detector. */
export function makeTone(ms: number): Buffer {
  const samples = Math.ceil(ms / FRAME_MS) * (FRAME_BYTES / 2);
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  return out;
}

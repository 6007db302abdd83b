import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import WebSocket from 'ws';
import { rmsS16le } from '../src/audio/energy.js';
import { FrameParser } from '../src/transports/audiosocket/frame-parser.js';
import { FrameScheduler, type ScheduledStream } from '../src/transports/audiosocket/frame-scheduler.js';
import { HANGUP_FRAME, silenceFrame, writeHeader } from '../src/transports/audiosocket/frame-serializer.js';
import { HEADER_BYTES } from '../src/transports/audiosocket/frames.js';
import { makeTone } from './floor-server.js';
import {
  type CartesiaLink,
  openCartesia,
  openDeepgram,
  type ProviderEndpoints,
  streamChat,
} from './provider-links.js';

/**
 * The provider floor: the least a server can do that still does the provider work of a call. Per
 * call it streams every caller frame to Deepgram over a raw `ws`, makes one raw-`fetch` streaming LLM
 * request per utterance Deepgram ends, sends the text to Cartesia over a raw `ws` as it streams, and
 * paces the audio it gets back at one frame per 20 ms on one shared clock. The greeting plays from
 * memory, as callchart's cached greeting does. No SDKs, no statechart, no store: callchart's CPU over
 * this floor's is what its own machinery costs.
 */
export interface ProviderFloorOptions {
  port?: number;
  endpoints: ProviderEndpoints;
  greetingMs: number;
  /** What the LLM is asked to say each turn (sized like callchart's mean reply). */
  replyText: string;
  /** After answering this many utterances, hang up once the reply has played (as callchart does). */
  linesPerCall: number;
}

const FRAME_BYTES = 320; // 20 ms of 8 kHz slin
const FRAME_MS = 20;
const VOICED_RMS = 300; // the floor's barge-in detector, the Deepgram simulator's threshold
const MIN_SPEECH_FRAMES = 4;
/** Bounds: a minute of reply audio, and two seconds of caller audio while Deepgram's socket opens. */
const MAX_PLAYOUT_BYTES = 60 * 8000 * 2;
const MAX_EARLY_FRAMES = 100;
/** Text goes to the TTS at phrase boundaries, not per token. */
const PHRASE_END = /[.!?,;:]\s/g;

export async function startProviderFloorServer(opts: ProviderFloorOptions) {
  const scheduler = new FrameScheduler();
  const greeting = makeTone(opts.greetingMs);
  const server = createServer((socket) => providerFloorCall(socket, scheduler, greeting, opts));
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function providerFloorCall(
  socket: Socket,
  scheduler: FrameScheduler,
  greeting: Buffer,
  opts: ProviderFloorOptions,
): void {
  socket.setNoDelay(true);
  const parser = new FrameParser();
  const playout: Buffer[] = [];
  let playoutBytes = 0;
  let stream: ScheduledStream | null = null;
  let stt: WebSocket | null = null;
  let tts: CartesiaLink | null = null;
  const early: Buffer[] = [];
  let context: string | null = null; // the reply being spoken; audio of any other context is stale
  let llm: AbortController | null = null;
  let voiced = 0;
  let answered = 0;
  let hangUpWhenDone = false;
  let ended = false;

  const takeFrame = (): Buffer => {
    const frame = Buffer.alloc(HEADER_BYTES + FRAME_BYTES); // zero-filled: a short last frame ends in silence
    writeHeader(frame, 0x10, FRAME_BYTES);
    let at = HEADER_BYTES;
    while (at < frame.length && playout.length > 0) {
      const head = playout[0] as Buffer;
      const n = Math.min(head.length, frame.length - at);
      head.copy(frame, at, 0, n);
      at += n;
      if (n === head.length) playout.shift();
      else playout[0] = head.subarray(n);
    }
    playoutBytes = Math.max(0, playoutBytes - FRAME_BYTES);
    return frame;
  };
  const sendFrame = () => {
    if (playoutBytes > 0) return void socket.write(takeFrame());
    if (hangUpWhenDone && context === null) return end();
    socket.write(silenceFrame(8000, FRAME_BYTES));
  };
  const enqueue = (pcm: Buffer) => {
    if (playoutBytes + pcm.length > MAX_PLAYOUT_BYTES) return;
    const wasIdle = playoutBytes === 0;
    playout.push(pcm);
    playoutBytes += pcm.length;
    // Like callchart's pacer: the first frame of a reply leaves at once, the clock re-phases to it.
    if (wasIdle && stream) {
      sendFrame();
      scheduler.rephase(stream, scheduler.clock.now() + FRAME_MS);
    }
  };
  const stopSpeaking = () => {
    playout.length = 0;
    playoutBytes = 0;
    if (context) tts?.cancel(context);
    context = null;
    llm?.abort();
    llm = null;
  };
  const end = () => {
    if (ended) return;
    ended = true;
    if (stream) scheduler.remove(stream);
    stream = null;
    stopSpeaking();
    if (stt?.readyState === WebSocket.OPEN) stt.send(JSON.stringify({ type: 'CloseStream' }));
    stt?.close();
    tts?.close();
    if (!socket.destroyed) socket.end(HANGUP_FRAME);
  };

  const reply = (callerText: string) => {
    stopSpeaking();
    hangUpWhenDone = ++answered >= opts.linesPerCall;
    const ctx = randomUUID();
    const abort = new AbortController();
    context = ctx;
    llm = abort;
    let text = '';
    streamChat(
      opts.endpoints,
      opts.replyText,
      callerText,
      (delta) => {
        text += delta;
        const cut = lastPhraseEnd(text);
        if (cut > 0) {
          tts?.say(ctx, text.slice(0, cut), false);
          text = text.slice(cut);
        }
      },
      abort.signal,
    )
      .then(() => tts?.say(ctx, text, true))
      .catch(() => {
        if (context === ctx) context = null; // no reply this turn; the caller will time out or speak again
      });
  };

  const start = () => {
    stt = openDeepgram(opts.endpoints, reply);
    stt.on('open', () => {
      for (const frame of early.splice(0)) stt?.send(frame);
    });
    stt.on('close', () => end());
    tts = openCartesia(
      opts.endpoints,
      (ctx, pcm) => {
        if (ctx === context) enqueue(pcm);
      },
      (ctx) => {
        if (ctx === context) context = null;
      },
    );
    stream = scheduler.add(sendFrame);
    enqueue(greeting);
  };
  const toStt = (payload: Buffer) => {
    if (stt?.readyState === WebSocket.OPEN) stt.send(payload);
    else if (stt?.readyState === WebSocket.CONNECTING && early.length < MAX_EARLY_FRAMES) early.push(payload);
  };

  socket.on('data', (chunk: Buffer) => {
    const { frames, error } = parser.push(chunk);
    for (const frame of frames) {
      if (frame.kind === 'uuid' && !stream && !ended) start();
      else if (frame.kind === 'audio' && stream) {
        toStt(frame.payload);
        if (rmsS16le(frame.payload) <= VOICED_RMS) voiced = 0;
        else if (++voiced === MIN_SPEECH_FRAMES && (playoutBytes > 0 || context)) stopSpeaking(); // barge-in
      }
    }
    if (error) socket.destroy();
  });
  socket.on('close', end);
  socket.on('error', () => socket.destroy());
}

/** Index just past the last phrase end in `text`, or 0. */
function lastPhraseEnd(text: string): number {
  let cut = 0;
  for (const m of text.matchAll(PHRASE_END)) cut = m.index + 1;
  return cut;
}

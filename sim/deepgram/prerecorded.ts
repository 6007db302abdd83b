import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mulawToLinear } from '../../src/audio/g711.js';
import { firstChannel, readWav, WavFormatError } from '../../src/audio/wav-reader.js';
import type { CallerLine } from '../caller/script.js';
import { readCredential } from './auth.js';
import { DEFAULT_ENDPOINTER, detectSegments } from './endpointer.js';
import type { DeepgramSimKnobs } from './options.js';
import { SIM_MODEL_UUID, TRANSACTION_KEY } from './protocol.js';
import { ScriptCursor } from './script-cursors.js';
import { layoutWords, roundSec, splitWords, type TimedWord, transcriptOf } from './words.js';

/** Bound on one upload: well above a voicemail, far below what would hurt the test machine. */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;

export interface PrerecordedDeps {
  knobs: DeepgramSimKnobs;
  /** The script for this request (a fresh cursor: each upload is its own recording). */
  script: (tags: readonly string[]) => readonly CallerLine[];
  onRequest: () => void;
}

interface Audio {
  samples: Int16Array;
  sampleRate: number;
  channels: number;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly errCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `POST /v1/listen` (pre-recorded): the whole recording in the body. Speech is found by energy (the
 * live endpointer, run over the file) and the Nth segment gets the script's Nth line, exactly as on
 * the socket. WAV is detected from its header; raw audio needs `encoding` and `sample_rate`.
 */
export function handlePrerecorded(req: IncomingMessage, res: ServerResponse, deps: PrerecordedDeps): void {
  const requestId = randomUUID();
  deps.onRequest();
  void (async () => {
    const credential = readCredential(req.headers);
    const key = deps.knobs.requiredKey;
    if (!credential || (key !== '' && credential.secret !== key)) {
      throw new RequestError(401, 'INVALID_AUTH', 'Invalid credentials.');
    }
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const body = await readBody(req);
    const audio = decode(body, url.searchParams);
    const punctuated = flag(url.searchParams, 'smart_format') || flag(url.searchParams, 'punctuate');
    const words = transcribe(audio, deps, url.searchParams.getAll('tag'));
    const duration = audio.samples.length / audio.sampleRate;
    sendJson(res, 200, requestId, responseBody(requestId, body, duration, audio.channels, words, punctuated));
  })().catch((err: unknown) => {
    const e = err instanceof RequestError ? err : new RequestError(500, 'INTERNAL_SERVER_ERROR', String(err));
    sendJson(res, e.status, requestId, { err_code: e.errCode, err_msg: e.message, request_id: requestId });
  });
}

function flag(params: URLSearchParams, name: string): boolean {
  return params.get(name) === 'true';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > MAX_UPLOAD_BYTES) throw new RequestError(413, 'PAYLOAD_TOO_LARGE', 'Payload too large.');
    parts.push(part as Buffer);
  }
  if (size === 0) throw new RequestError(400, 'Bad Request', 'Empty request body.');
  return Buffer.concat(parts);
}

function decode(body: Buffer, params: URLSearchParams): Audio {
  if (body.toString('latin1', 0, 4) === 'RIFF') {
    try {
      const wav = readWav(body);
      const mono = firstChannel(wav.pcm, wav.format.channels);
      const samples = new Int16Array(mono.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = mono.readInt16LE(i * 2);
      return { samples, sampleRate: wav.format.sampleRate, channels: wav.format.channels };
    } catch (err) {
      if (!(err instanceof WavFormatError)) throw err;
      throw new RequestError(400, 'Bad Request', `Bad Request: failed to process audio: ${err.message}`);
    }
  }
  const encoding = params.get('encoding');
  const sampleRate = Number(params.get('sample_rate'));
  const channels = Number(params.get('channels') ?? '1');
  if ((encoding !== 'linear16' && encoding !== 'mulaw') || !(sampleRate >= 8000 && sampleRate <= 48000)) {
    throw new RequestError(
      400,
      'Bad Request',
      'Bad Request: failed to process audio: corrupt or unsupported data (raw audio needs encoding and sample_rate)',
    );
  }
  const width = (encoding === 'linear16' ? 2 : 1) * Math.max(1, channels);
  const samples = new Int16Array(Math.floor(body.length / width));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = encoding === 'linear16' ? body.readInt16LE(i * width) : mulawToLinear(body[i * width]!);
  }
  return { samples, sampleRate, channels };
}

function transcribe(audio: Audio, deps: PrerecordedDeps, tags: readonly string[]): TimedWord[] {
  const { knobs } = deps;
  const segments = detectSegments(
    audio.samples,
    audio.sampleRate,
    {
      ...DEFAULT_ENDPOINTER,
      thresholdRms: knobs.energyThreshold,
      minSpeechMs: knobs.minSpeechMs,
      // No live endpointing on a file: a pause this long separates two utterances.
      endpointingMs: knobs.gapWithoutEndpointingMs,
    },
    true,
  );
  const cursor = new ScriptCursor(deps.script(tags));
  return segments.flatMap((s) => {
    const text = cursor.take()?.text ?? knobs.unscriptedText;
    return layoutWords(splitWords(text), s.startSec, s.endSec);
  });
}

/** The pre-recorded response: `metadata` plus one channel with one alternative. */
function responseBody(
  requestId: string,
  body: Buffer,
  duration: number,
  channels: number,
  words: TimedWord[],
  punctuated: boolean,
): Record<string, unknown> {
  const confidence = words.length ? 0.95 : 0;
  return {
    metadata: {
      transaction_key: TRANSACTION_KEY,
      request_id: requestId,
      sha256: createHash('sha256').update(body).digest('hex'),
      created: new Date().toISOString(),
      duration: roundSec(duration),
      channels,
      models: [SIM_MODEL_UUID],
      model_info: { [SIM_MODEL_UUID]: { name: 'general-nova-3', version: 'sim', arch: 'nova-3' } },
    },
    results: {
      channels: [
        {
          alternatives: [
            {
              transcript: transcriptOf(words, punctuated),
              confidence,
              words: words.map((w) => ({
                word: w.word,
                start: w.start,
                end: w.end,
                confidence,
                ...(punctuated ? { punctuated_word: w.punctuated } : {}),
              })),
            },
          ],
        },
      ],
    },
  };
}

function sendJson(res: ServerResponse, status: number, requestId: string, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'dg-request-id': requestId });
  res.end(JSON.stringify(body));
}

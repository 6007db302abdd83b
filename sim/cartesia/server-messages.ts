import { roundTo } from '../../src/round.js';
import { STATUS_STREAMING } from './protocol.js';

/** docs/protocols/cartesia-tts.md §3a */
export interface ChunkMessage {
  type: 'chunk';
  context_id: string;
  data: string;
  done: false;
  status_code: number;
  step_time: number;
  flush_id: number;
}

/** §3b */
export interface TimestampsMessage {
  type: 'timestamps';
  context_id: string;
  done: false;
  status_code: number;
  flush_id: number;
  word_timestamps: { words: string[]; start: number[]; end: number[] };
}

/** §3d */
export interface FlushDoneMessage {
  type: 'flush_done';
  context_id: string;
  done: false;
  flush_done: true;
  flush_id: number;
  status_code: number;
}

/** §3e */
export interface DoneMessage {
  type: 'done';
  context_id: string;
  done: true;
  status_code: number;
}

/** §3f, current shape. `context_id` is absent when the failing message named none (e.g. non-JSON). */
export interface ErrorMessage {
  type: 'error';
  status_code: number;
  title: string;
  message: string;
  error_code: string;
  done: true;
  request_id: string;
  context_id?: string;
}

export type ServerMessage = ChunkMessage | TimestampsMessage | FlushDoneMessage | DoneMessage | ErrorMessage;

/** The parts of an error the simulator decides; the connection adds request_id and context_id. */
export interface SimError {
  status: number;
  title: string;
  message: string;
  code: string;
}

export function chunkMessage(
  contextId: string,
  audio: Buffer,
  stepTimeMs: number,
  flushId: number,
): ChunkMessage {
  return {
    type: 'chunk',
    context_id: contextId,
    data: audio.toString('base64'),
    done: false,
    status_code: STATUS_STREAMING,
    step_time: roundTo(stepTimeMs, 2),
    flush_id: flushId,
  };
}

export function timestampsMessage(
  contextId: string,
  flushId: number,
  words: string[],
  start: number[],
  end: number[],
): TimestampsMessage {
  return {
    type: 'timestamps',
    context_id: contextId,
    done: false,
    status_code: STATUS_STREAMING,
    flush_id: flushId,
    word_timestamps: { words, start, end },
  };
}

export function flushDoneMessage(contextId: string, flushId: number): FlushDoneMessage {
  return {
    type: 'flush_done',
    context_id: contextId,
    done: false,
    flush_done: true,
    flush_id: flushId,
    status_code: STATUS_STREAMING,
  };
}

export function doneMessage(contextId: string): DoneMessage {
  return { type: 'done', context_id: contextId, done: true, status_code: STATUS_STREAMING };
}

export function errorMessage(error: SimError, requestId: string, contextId?: string): ErrorMessage {
  return {
    type: 'error',
    status_code: error.status,
    title: error.title,
    message: error.message,
    error_code: error.code,
    done: true,
    request_id: requestId,
    ...(contextId === undefined ? {} : { context_id: contextId }),
  };
}

import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamFault } from './faults.js';
import type { Frame } from './sse.js';

export interface Pacing {
  /** From request arrival to the first content token. */
  ttftMs: number;
  tokensPerSec: number;
}

export type StreamOutcome =
  | 'completed'
  | 'client-closed'
  | 'stalled'
  | 'dropped'
  | 'truncated'
  | 'malformed'
  | 'stream-error';

export interface PlayOptions {
  pacing: Pacing;
  /** When the request arrived (performance.now()); the first token is due `ttftMs` after it. */
  arrivedAt: number;
  fault?: StreamFault;
  /** The vendor's own framing for the two faults that write something. */
  malformedFrame: string;
  streamErrorFrame: string;
}

/**
 * Writes a reply's frames on an open 200 event stream at the configured pace, injecting a stream
 * fault when `afterTokens` content tokens have been sent (or before the tail if the reply is
 * shorter). Frames due at the same moment go out in one write.
 */
export async function playFrames(
  res: ServerResponse,
  frames: readonly Frame[],
  opts: PlayOptions,
): Promise<{ outcome: StreamOutcome; tokensSent: number }> {
  const clientGone = new AbortController();
  const onClose = () => clientGone.abort();
  res.once('close', onClose);
  const intervalMs = 1000 / opts.pacing.tokensPerSec;
  let pending = '';
  let tokensSent = 0;
  const flush = () => {
    if (pending && !res.destroyed) res.write(pending);
    pending = '';
  };

  try {
    for (const frame of frames) {
      if (frame.role === 'token' || frame.role === 'tail') {
        const fault = opts.fault;
        if (fault && tokensSent >= fault.afterTokens) {
          // Let the tokens already due reach the client before the fault hits.
          if (pending && !res.destroyed) await writeAndWait(res, pending);
          pending = '';
          return { outcome: injectFault(res, fault, opts), tokensSent };
        }
      }
      if (frame.role === 'token') {
        const dueAt = opts.arrivedAt + opts.pacing.ttftMs + tokensSent * intervalMs;
        const wait = dueAt - performance.now();
        if (wait >= 1) {
          flush();
          await sleep(wait, undefined, { signal: clientGone.signal }).catch(() => undefined);
        }
        if (clientGone.signal.aborted || res.destroyed) return { outcome: 'client-closed', tokensSent };
        tokensSent += 1;
      }
      pending += frame.text;
    }
    flush();
    res.end();
    return { outcome: 'completed', tokensSent };
  } finally {
    res.off('close', onClose);
  }
}

function injectFault(res: ServerResponse, fault: StreamFault, opts: PlayOptions): StreamOutcome {
  switch (fault.kind) {
    case 'stall':
      // Leave the response open: the client sees headers and some tokens, then nothing.
      if (!res.headersSent) res.flushHeaders();
      return 'stalled';
    case 'drop':
      res.socket?.destroy();
      return 'dropped';
    case 'truncate':
      res.end();
      return 'truncated';
    case 'malformed':
      res.end(opts.malformedFrame);
      return 'malformed';
    case 'stream-error':
      res.end(opts.streamErrorFrame);
      return 'stream-error';
  }
}

function writeAndWait(res: ServerResponse, text: string): Promise<void> {
  return new Promise((done) => {
    res.once('close', done);
    res.write(text, () => {
      res.off('close', done);
      done();
    });
  });
}

import type { DeepgramClient } from '@deepgram/sdk';
import type { Logger } from '../../log.js';
import type { EventMapping } from './deepgram-messages.js';
import type { SttEvent } from './types.js';

/** What the session needs of an SDK socket; the v1 (Nova) and v2 (Flux) sockets both have it. */
export interface DeepgramSocket {
  readonly readyState: number;
  on(event: 'message', callback: (message: unknown) => void): void;
  on(event: 'close', callback: (event: { code: number; reason?: unknown }) => void): void;
  on(event: 'error', callback: (error: Error) => void): void;
  connect(): unknown;
  waitForOpen(): Promise<unknown>;
  sendMedia(chunk: Buffer): void;
  close(): void;
}

/** Per-dial transport options: the session owns redials, so the SDK's own are off (§6). */
export interface DialOptions {
  reconnectAttempts: 0;
  connectionTimeoutInSeconds: number;
}

/**
 * The part of a live stream that differs between /v1/listen (Nova) and /v2/listen (Flux): how to dial,
 * the control messages, and how server messages become SttEvents. DeepgramSttSession does the rest
 * (redials, keep-alive cadence, close) the same way for both.
 */
export interface ListenDialect {
  readonly api: 'v1' | 'v2';
  dial(client: DeepgramClient, options: DialOptions): Promise<DeepgramSocket>;
  /** Sent when no audio went out during a keep-alive interval. */
  keepAlive(socket: DeepgramSocket): void;
  /** Ask the service to finalise what it has buffered now (a no-op where the API has no such message). */
  finalize(socket: DeepgramSocket): void;
  /** Ask the service to finish: last results, then its close. */
  closeStream(socket: DeepgramSocket): void;
  /** The product's events for one server message; unreadable messages are logged and dropped. */
  toEvents(raw: unknown, mapping: EventMapping, log: Logger): SttEvent[];
}

import { WebSocket } from 'ws';
import { CLOSE_INTERNAL_ERROR, NET_0000_REASON } from './protocol.js';

/**
 * How an injected drop ends a stream: `close` sends the 1011 close frame Deepgram sends on an internal
 * error (NET-0000); `reset` tears the TCP connection down with no close frame at all, as a dead load
 * balancer or a lost network path does (the client sees 1006).
 */
export const DROP_KINDS = ['close', 'reset'] as const;
export type DropKind = (typeof DROP_KINDS)[number];

export function injectDrop(ws: WebSocket, kind: DropKind): void {
  if (kind === 'reset') {
    ws.terminate();
    return;
  }
  if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)
    ws.close(CLOSE_INTERNAL_ERROR, NET_0000_REASON);
}

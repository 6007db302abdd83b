import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HandshakeError {
  status: number;
  errCode: string;
  errMsg: string;
}

/**
 * docs/protocols/deepgram-live.md §1 and §5 item 11: a refused handshake is a plain HTTP response instead of
 * 101, with `dg-request-id`, `dg-error` and a JSON body `{err_code, err_msg, request_id}`. Written straight
 * to the upgrade socket.
 */
export function rejectUpgrade(socket: Duplex, error: HandshakeError, requestId: string): void {
  const body = JSON.stringify({ err_code: error.errCode, err_msg: error.errMsg, request_id: requestId });
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `dg-request-id: ${requestId}`,
    // Header values must stay on one line; err_msg is ours, but strip CR/LF defensively.
    `dg-error: ${error.errMsg.replace(/[\r\n]+/g, ' ')}`,
    'connection: close',
  ];
  // A client that hangs up first must not crash the process with ECONNRESET.
  socket.on('error', () => socket.destroy());
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  else socket.destroy();
}

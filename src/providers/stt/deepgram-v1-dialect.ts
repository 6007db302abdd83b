import type { DeepgramClient } from '@deepgram/sdk';
import type { DeepgramSocket, DialOptions, ListenDialect } from './deepgram-dialect.js';
import { parseServerMessage, toSttEvent } from './deepgram-messages.js';
import type { ListenV1Query } from './deepgram-query.js';

type ListenV1Socket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;

/** Nova on /v1/listen: KeepAlive, Finalize and CloseStream are JSON text frames (§3a). */
export function listenV1Dialect(query: ListenV1Query): ListenDialect {
  const v1 = (socket: DeepgramSocket) => socket as unknown as ListenV1Socket;
  return {
    api: 'v1',
    dial: (client: DeepgramClient, options: DialOptions) =>
      client.listen.v1.connect({ ...query, ...options }),
    keepAlive: (socket) => v1(socket).sendKeepAlive({ type: 'KeepAlive' }),
    finalize: (socket) => v1(socket).sendFinalize({ type: 'Finalize' }),
    closeStream: (socket) => v1(socket).sendCloseStream({ type: 'CloseStream' }),
    toEvents(raw, mapping, log) {
      const parsed = parseServerMessage(raw);
      if (!parsed.ok) {
        log.warn({ reason: parsed.reason }, 'deepgram: ignored server message');
        return [];
      }
      if (parsed.message.type === 'Metadata') {
        log.debug({ requestId: parsed.message.request_id }, 'deepgram: stream metadata');
      }
      const event = toSttEvent(parsed.message, mapping);
      return event ? [event] : [];
    },
  };
}

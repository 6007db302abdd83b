import { type RawData, WebSocket } from 'ws';
import { type GenerationInput, parseClientMessage } from './client-messages.js';
import { CLOSE_NORMAL } from './protocol.js';
import { errorMessage, type ServerMessage, type SimError } from './server-messages.js';
import type { SimContext } from './sim-context.js';
import type { SimCore } from './sim-core.js';

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * One `/tts/websocket` connection: validates every frame, multiplexes contexts by `context_id`
 * (docs/protocols/cartesia-tts.md §4 item 1), and closes after the idle timeout (§4 item 7). A bad frame gets
 * an `error` message and the socket stays open (§4 item 9).
 */
export function serveConnection(socket: WebSocket, core: SimCore): void {
  const { clock, stats, log } = core;
  const requestId = core.nextRequestId();
  const contexts = new Map<string, SimContext>();
  const openedAt = clock.now();
  let lastActivity = openedAt;
  let idleTimer: unknown;

  stats.connections += 1;
  stats.openConnections += 1;

  const send = (message: ServerMessage): void => {
    if (socket.readyState !== WebSocket.OPEN) return;
    lastActivity = clock.now();
    socket.send(JSON.stringify(message));
  };

  const reject = (error: SimError, contextId?: string): void => {
    stats.errorsSent += 1;
    send(errorMessage(error, requestId, contextId));
  };

  const armIdle = (ms: number): void => {
    idleTimer = clock.setTimeout(() => {
      const idleFor = clock.now() - lastActivity;
      if (idleFor >= core.knobs.idleTimeoutMs) socket.close(CLOSE_NORMAL, 'idle timeout');
      else armIdle(core.knobs.idleTimeoutMs - idleFor);
    }, ms);
  };
  armIdle(core.knobs.idleTimeoutMs);

  const open = (input: GenerationInput): SimContext | undefined => {
    const refused = core.admit(input);
    if (refused) {
      reject(refused, input.contextId);
      return undefined;
    }
    const ctx = core.openContext(
      input.contextId,
      input,
      {
        send,
        drop: () => socket.terminate(),
        ended: () => {
          if (contexts.get(input.contextId) === ctx) contexts.delete(input.contextId);
        },
      },
      requestId,
      clock.now() - openedAt >= core.knobs.faultsAfterMs,
    );
    contexts.set(input.contextId, ctx);
    return ctx;
  };

  socket.on('message', (data, isBinary) => {
    lastActivity = clock.now();
    stats.messagesReceived += 1;
    if (isBinary) {
      reject({
        status: 400,
        title: 'Invalid message',
        message: 'Binary frames are not supported',
        code: 'invalid_request',
      });
      return;
    }
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) {
      const live = parsed.contextId === undefined ? undefined : contexts.get(parsed.contextId);
      // An invalid input on a live context ends that context (§3f: the error carries done:true).
      if (live?.isOpen) live.fail(parsed.error);
      else reject(parsed.error, parsed.contextId);
      return;
    }
    const message = parsed.value;
    if (message.kind === 'cancel') {
      const ctx = contexts.get(message.contextId);
      if (ctx?.isOpen) stats.contextsCancelled += 1;
      ctx?.cancel(); // §2b: no acknowledgement either way
      return;
    }
    const ctx = contexts.get(message.input.contextId) ?? open(message.input);
    ctx?.accept(message.input);
  });

  socket.on('error', (err) => log.debug({ err, requestId }, 'cartesia sim: socket error'));

  socket.on('close', () => {
    stats.openConnections -= 1;
    clock.clearTimeout(idleTimer);
    for (const ctx of [...contexts.values()]) ctx.dispose();
    contexts.clear();
  });
}

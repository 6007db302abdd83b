import { createServer, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { listen } from './listen.js';

/** What a node knows about itself when HAProxy asks. */
export interface NodeState {
  /** Shutdown has begun: no new calls, the live ones run on. */
  draining: boolean;
  /** /readyz would say ready (database answers, providers reached recently). */
  ready: boolean;
  /** Why admission would refuse a call now (full, shedding, no provider room), if it would. */
  refusing: boolean;
  freeSlots: number;
  maxCalls: number;
}

/**
 * The HAProxy agent-check reply (one line): the operational state (`up`/`down`), the admin state
 * (`ready`/`drain`/`maint`) and a weight from the free call slots, so new calls go to the node with
 * the most room. "ready" is always said when taking calls, because an agent's earlier "drain" stays
 * in force until the agent itself lifts it.
 */
export function agentReply(s: NodeState): string {
  if (s.draining) return 'maint\n';
  if (!s.ready) return 'down\n';
  if (s.refusing || s.freeSlots <= 0) return 'up drain\n';
  // Never 0% while a slot is free: HAProxy would treat it as drained.
  const weight = Math.max(1, Math.round((100 * s.freeSlots) / s.maxCalls));
  return `up ready ${weight}%\n`;
}

export interface AgentCheckServer {
  readonly port: number;
  close(): Promise<void>;
}

/** How long a check may take; HAProxy's own agent timeout is shorter, this bounds a stuck client. */
const REPLY_TIMEOUT_MS = 2000;

/**
 * A TCP port for HAProxy's `agent-check`: each connection gets one line (agentReply) and is closed.
 * Whatever the peer sends (HAProxy's optional `agent-send`) is ignored and never buffered.
 */
export async function startAgentCheckServer(opts: {
  host: string;
  port: number;
  state: () => Promise<NodeState>;
  log: Logger;
}): Promise<AgentCheckServer> {
  const log = opts.log.child({ component: 'agent-check' });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', () => undefined);
    socket.setTimeout(REPLY_TIMEOUT_MS, () => socket.destroy());
    opts.state().then(
      (state) => socket.end(agentReply(state)),
      (err: unknown) => {
        log.error({ err }, 'agent check failed; answering down');
        socket.end('down\n');
      },
    );
  });
  server.maxConnections = 64;
  const port = await listen(server, opts.port, opts.host);
  server.on('error', (err) => log.error({ err }, 'agent check server error'));
  log.info({ host: opts.host, port }, 'HAProxy agent check listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

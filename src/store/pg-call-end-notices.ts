import pg from 'pg';
import type { Logger } from '../log.js';

const CHANNEL = 'callchart_call_ended';
const CONNECT_TIMEOUT_MS = 5000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
/** A call id as the transports make them (a Twilio CallSid, a UUID): nothing else is passed on. */
const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * "This call has ended", between the nodes that share one database. Twilio posts a call's status
 * callback to the load balancer, so it may reach a node that does not hold the call; that node
 * announces the end and the node holding it ends it. Best effort: a notice lost while a connection is
 * down leaves the call to its idle deadline, as before.
 */
export interface CallEndNotices {
  announce(callId: string): void;
  /** Called with each call id another node (or this one) announced. */
  onEnded(handler: (callId: string) => void): void;
  close(): Promise<void>;
}

/**
 * CallEndNotices over Postgres LISTEN/NOTIFY on one dedicated connection (a pooled connection cannot
 * LISTEN: the pool hands it to others). The connection comes back by itself, with backoff, after the
 * database restarts; until then announcements are dropped with a log line.
 */
export function openPgCallEndNotices(url: string, log: Logger): CallEndNotices {
  const handlers: ((callId: string) => void)[] = [];
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retry: NodeJS.Timeout | undefined;

  const deliver = (payload: string | undefined) => {
    const callId = payload ?? '';
    if (!CALL_ID.test(callId)) {
      log.warn({ channel: CHANNEL, bytes: callId.length }, 'malformed call-end notice ignored');
      return;
    }
    for (const handler of handlers) {
      try {
        handler(callId);
      } catch (err) {
        log.error({ err, callId }, 'call-end notice handler failed');
      }
    }
  };

  const connect = () => {
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'callchart-notices',
      keepAlive: true,
    });
    client = c;
    const lost = (err?: unknown) => {
      if (client !== c) return; // this connection was already given up
      client = undefined;
      listening = false;
      c.end().catch(() => undefined);
      if (closed) return;
      log.warn({ err, retryInMs: retryMs }, 'call-end notices: database connection lost; reconnecting');
      retry = setTimeout(connect, retryMs);
      retry.unref();
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel === CHANNEL) deliver(n.payload);
    });
    c.connect()
      .then(() => c.query(`LISTEN ${CHANNEL}`))
      .then(() => {
        if (client !== c) return;
        listening = true;
        retryMs = RETRY_MIN_MS;
        log.info('listening for call ends announced by other nodes');
      })
      .catch(lost);
  };
  connect();

  return {
    announce(callId) {
      if (!CALL_ID.test(callId)) return;
      const c = client;
      if (!c || !listening) {
        log.warn(
          { callId },
          'call-end notice not sent: database not connected (the call ends by its idle deadline)',
        );
        return;
      }
      c.query('SELECT pg_notify($1, $2)', [CHANNEL, callId]).catch((err: unknown) =>
        log.warn({ err, callId }, 'call-end notice not sent'),
      );
    },
    onEnded(handler) {
      handlers.push(handler);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

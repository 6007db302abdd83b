import type { AnyStateMachine } from 'xstate';
import type { CallDeps, SessionTransport } from '../call/call-session.js';
import type { Config } from '../config.js';
import type { HttpServer } from '../http/http-server.js';
import type { Logger } from '../log.js';
import { fieldCipher } from '../store/field-cipher.js';
import type { BrowserCall } from '../transports/browser/browser-call.js';
import {
  type BrowserCallServer,
  type BrowserCallServerOptions,
  createBrowserCallServer,
} from '../transports/browser/server.js';
import { dashboardAuth } from './auth.js';
import { HistoryQueries } from './history.js';
import { LiveCalls, type TransportName } from './live-calls.js';
import { Recordings } from './recordings.js';
import { mountDashboard } from './routes.js';

export interface Dashboard {
  readonly live: LiveCalls;
  /** Per-call deps that also feed the live view (inspection, observer, tenant). */
  callDeps(deps: CallDeps, callId: string, transport: TransportName): CallDeps;
  /** The transport, recorded when recordings are on. */
  callTransport<T extends SessionTransport>(transport: T): SessionTransport;
  /** Serves the page, the API and the browser call endpoint on the HTTP server. */
  mount(
    http: HttpServer,
    machine: AnyStateMachine,
    onBrowserCall: (call: BrowserCall, tenant: string) => void,
    admit?: BrowserCallServerOptions['admit'],
  ): void;
  close(): void;
}

/** The dashboard's pieces: live registry, recordings, history and the browser call transport. */
export async function createDashboard(config: Config, log: Logger): Promise<Dashboard> {
  const live = new LiveCalls();
  const auth = dashboardAuth(config.DASHBOARD_TOKEN, config.HTTP_HOST);
  if (!auth.open && !config.DASHBOARD_TOKEN) {
    log.warn('dashboard closed: HTTP_HOST is not loopback and DASHBOARD_TOKEN is not set');
  }
  let recordings: Recordings | null = null;
  if (config.RECORDINGS_DIR) {
    recordings = new Recordings(config.RECORDINGS_DIR, config.RECORDINGS_RETENTION_DAYS, log);
    await recordings.start();
  }
  let history: HistoryQueries | null = null;
  let browser: BrowserCallServer | null = null;

  return {
    live,
    callDeps(deps, callId, transport) {
      live.started(callId, transport);
      const own = deps.inspect?.(callId);
      const mine = live.inspector(callId);
      const observer = deps.observer;
      return {
        ...deps,
        inspect: () => (ev) => {
          own?.(ev);
          mine(ev);
        },
        resolveContext: async (args) => {
          const ctx = await deps.resolveContext(args);
          live.identified(callId, {
            tenantId: ctx.tenant.id,
            companyName: ctx.tenant.companyName,
            callerMasked: ctx.callerMasked,
            tier: ctx.tenant.tier,
            language: ctx.language,
          });
          return ctx;
        },
        observer: {
          ...observer,
          turn: (tenantId, record) => {
            observer.turn(tenantId, record);
            live.turn(record);
          },
          providerError: (provider, kind) => {
            observer.providerError(provider, kind);
            live.providerError(callId, provider, kind);
          },
          fallback: (from, to) => {
            observer.fallback(from, to);
            live.fallback(callId, from, to);
          },
          callEnded: (tenantId, end) => {
            observer.callEnded(tenantId, end);
            live.ended(end);
          },
        },
      };
    },
    callTransport(transport) {
      return recordings ? recordings.record(transport) : transport;
    },
    mount(http, machine, onBrowserCall, admit) {
      try {
        history = new HistoryQueries(config.CALLCHART_DB, fieldCipher(config.DATA_KEY));
      } catch (err) {
        log.warn({ err }, 'dashboard history unavailable (the store is not a readable SQLite file)');
      }
      mountDashboard(http, { auth, live, history, recordings, machine, log });
      browser = createBrowserCallServer({
        allowed: (req) => auth.allowed(req),
        onCall: onBrowserCall,
        log,
        ...(admit ? { admit } : {}),
      });
      http.addUpgrade('/call', (req, socket, head) => browser?.handleUpgrade(req, socket, head));
      log.info(
        { url: `http://${http.host}:${http.port}/`, auth: auth.open ? 'open (loopback)' : 'token' },
        'dashboard',
      );
    },
    close() {
      browser?.close();
      history?.close();
      recordings?.stop();
    },
  };
}

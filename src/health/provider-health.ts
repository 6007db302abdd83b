import { connect } from 'node:net';
import type { Logger } from '../log.js';

export interface ProviderEndpoint {
  /** "stt", "tts", "llm:groq", ... */
  name: string;
  /** The base URL the adapter talks to (wss://, https://, or a simulator's ws://, http://). */
  url: string;
}

export interface ProviderStatus {
  name: string;
  /** ms since the endpoint last answered a connect; null if it never has. */
  lastReachableAgoMs: number | null;
  fresh: boolean;
}

const DEFAULT_PORTS: Record<string, number> = { 'wss:': 443, 'https:': 443, 'ws:': 80, 'http:': 80 };

/**
 * Remembers when each provider endpoint was last reachable, for /readyz. A TCP connect to the vendor's
 * host is enough to tell "the network path is up" without spending API credit or a key check; each
 * probe is bounded and never overlaps the previous one.
 */
export class ProviderHealth {
  private readonly lastOk = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(
    private readonly endpoints: readonly ProviderEndpoint[],
    private readonly opts: { staleMs: number; probeEveryMs: number; timeoutMs?: number; log: Logger },
  ) {}

  /** Probes now, then every `probeEveryMs` (unref'd: it never keeps the process alive). */
  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.probeAll(), this.opts.probeEveryMs);
    this.timer.unref();
    return this.probeAll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A real request succeeded: as good as a probe. */
  markReachable(name: string): void {
    this.lastOk.set(name, performance.now());
  }

  status(): ProviderStatus[] {
    const now = performance.now();
    return this.endpoints.map(({ name }) => {
      const at = this.lastOk.get(name);
      const ago = at === undefined ? null : Math.round(now - at);
      return { name, lastReachableAgoMs: ago, fresh: ago !== null && ago <= this.opts.staleMs };
    });
  }

  async probeAll(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await Promise.all(
        this.endpoints.map(async (e) => {
          const error = await probe(e.url, this.opts.timeoutMs ?? 3000);
          if (error === null) this.markReachable(e.name);
          else this.opts.log.debug({ provider: e.name, error }, 'provider probe failed');
        }),
      );
    } finally {
      this.probing = false;
    }
  }
}

/** Resolves null when a TCP connection to the URL's host and port opened within `timeoutMs`. */
export function probe(url: string, timeoutMs: number): Promise<string | null> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve('bad URL');
  }
  const port = Number(target.port) || DEFAULT_PORTS[target.protocol] || 443;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { type KnobEnv, knob, nonNegativeOrNever } from '../knobs.js';

/**
 * The DID-to-company context API (src/tenants/context-api.ts is its client) on loopback, with the ways
 * it goes down. It answers `POST /` with a small valid reply; after `faultAfterRequests` requests the
 * fault takes over:
 * - `refused`: it stops listening, so connects are refused by the OS (ECONNREFUSED);
 * - `hang`: it accepts the request and never answers (the client's timeout must end the wait);
 * - `error`: HTTP 503 with a JSON body.
 */
export const CONTEXT_API_FAULTS = ['none', 'refused', 'hang', 'error'] as const;
export type ContextApiFault = (typeof CONTEXT_API_FAULTS)[number];

export interface ContextApiSimOptions {
  host?: string;
  port?: number;
  /** Env SIM_CONTEXT_API_FAULT; default none. */
  fault?: ContextApiFault;
  /** Requests answered normally before the fault; env SIM_CONTEXT_API_FAULT_AFTER_REQUESTS; default 0. */
  faultAfterRequests?: number;
  env?: KnobEnv;
}

export interface ContextApiSim {
  readonly url: string;
  /** Requests received (answered, failed or held). */
  requests(): number;
  close(): Promise<void>;
}

/** The reply the simulator gives: a valid context that changes nothing the stored tenant says. */
const REPLY = JSON.stringify({ is_repeat: false });
const MAX_BODY_BYTES = 16 * 1024;

export async function startContextApiSim(opts: ContextApiSimOptions = {}): Promise<ContextApiSim> {
  const env = opts.env ?? process.env;
  const fault = knob(opts.fault, 'SIM_CONTEXT_API_FAULT', 'none', env, z.enum(CONTEXT_API_FAULTS));
  const after = knob(
    opts.faultAfterRequests,
    'SIM_CONTEXT_API_FAULT_AFTER_REQUESTS',
    0,
    env,
    nonNegativeOrNever,
  );
  let requests = 0;
  const held = new Set<ServerResponse>();
  const stopListening = () => {
    server.close();
    server.closeIdleConnections();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
    });
    req.on('end', () => {
      if (req.method !== 'POST' || !req.headers['x-api-key'])
        return json(res, 401, { error: 'unauthorized' });
      const faulty = fault !== 'none' && requests > after;
      if (!faulty) return json(res, 200, REPLY);
      if (fault === 'error') return json(res, 503, { error: 'service unavailable' });
      if (fault === 'hang') {
        held.add(res);
        res.once('close', () => held.delete(res));
        return;
      }
      // refused: this request is dropped and nobody connects again.
      res.destroy();
      stopListening();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () =>
      resolve((server.address() as AddressInfo).port),
    );
  });
  if (fault === 'refused' && after === 0) stopListening();
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/`,
    requests: () => requests,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

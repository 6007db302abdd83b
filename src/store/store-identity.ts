import { hostname } from 'node:os';

/** Who writes: the owner stamped on every call row, and DATA_KEY for the columns sealed at rest. */
export interface StoreIdentity {
  /**
   * The node running the calls (NODE_ID, default the host name), with `/worker-N` for a worker process.
   * Stable across restarts, so a node that starts again finds the calls it was running when it died.
   */
  owner?: string;
  /** DATA_KEY (32 bytes): callback numbers are stored sealed with it (field-cipher.ts). */
  dataKey?: Buffer;
}

export function defaultOwner(): string {
  return hostname() || 'callchart';
}

/** The owner of this process's calls: NODE_ID (or the host name), and `/worker-N` in a worker process. */
export function callOwner(config: { NODE_ID?: string | undefined }, worker?: number): string {
  const node = config.NODE_ID ?? defaultOwner();
  return worker === undefined ? node : `${node}/worker-${worker}`;
}

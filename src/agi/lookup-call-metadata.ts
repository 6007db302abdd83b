import type { Logger } from '../log.js';
import type { CallMetadata } from './call-metadata.js';
import type { CallMetadataRegistry } from './call-metadata-registry.js';
import { readMetadataFile } from './metadata-file.js';

export interface LookupCallMetadataOptions {
  registry?: CallMetadataRegistry;
  /** Directory of AGI-script files (METADATA_DIR); omitted = FastAGI only. */
  metadataDir?: string;
  /** How long the AudioSocket side may wait for metadata that is a little late (METADATA_WAIT_MS). */
  waitMs: number;
  pollMs?: number;
  log?: Logger;
}

/**
 * Metadata for an AudioSocket UUID from whichever route the dialplan uses: the FastAGI registry first
 * (an in-memory hit is immediate), else the AGI-script file. Both are watched for up to `waitMs`;
 * the first answer wins and the other wait is cancelled. Undefined if neither produced one: the call
 * then proceeds with the default tenant.
 */
export async function lookupCallMetadata(
  uuid: string,
  opts: LookupCallMetadataOptions,
): Promise<CallMetadata | undefined> {
  const abort = new AbortController();
  const sources: Array<Promise<CallMetadata | undefined>> = [];
  if (opts.registry) sources.push(opts.registry.take(uuid, opts.waitMs, abort.signal));
  if (opts.metadataDir !== undefined) {
    sources.push(
      readMetadataFile(opts.metadataDir, uuid, {
        waitMs: opts.waitMs,
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        signal: abort.signal,
      }),
    );
  }
  try {
    return await firstDefined(sources);
  } finally {
    abort.abort();
  }
}

/** Resolves with the first promise to yield a value, or undefined once all have yielded nothing. */
function firstDefined<T>(promises: Array<Promise<T | undefined>>): Promise<T | undefined> {
  return new Promise((resolve) => {
    let left = promises.length;
    if (left === 0) resolve(undefined);
    for (const p of promises) {
      p.then(
        (value) => {
          if (value !== undefined) resolve(value);
          else if (--left === 0) resolve(undefined);
        },
        () => {
          if (--left === 0) resolve(undefined);
        },
      );
    }
  });
}

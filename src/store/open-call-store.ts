import type { Logger } from '../log.js';
import { PgCallStore } from './pg-call-store.js';
import { SqliteCallStore } from './sqlite-call-store.js';
import type { StoreIdentity } from './store-identity.js';
import type { CallStore } from './types.js';

export interface StoreSelection extends StoreIdentity {
  /** postgres://… selects Postgres; unset keeps the embedded SQLite store. */
  databaseUrl?: string | undefined;
  sqlitePath: string;
  log: Logger;
}

/** The store the configuration asks for, opened and migrated. */
export async function openCallStore(sel: StoreSelection): Promise<CallStore> {
  const identity: StoreIdentity = {
    ...(sel.owner ? { owner: sel.owner } : {}),
    ...(sel.dataKey ? { dataKey: sel.dataKey } : {}),
  };
  if (sel.databaseUrl) return PgCallStore.open({ url: sel.databaseUrl, log: sel.log, ...identity });
  return new SqliteCallStore({ path: sel.sqlitePath, log: sel.log, ...identity });
}

/** For logs: which engine, never the URL (it may hold a password). */
export function storeEngine(databaseUrl: string | undefined): 'postgres' | 'sqlite' {
  return databaseUrl ? 'postgres' : 'sqlite';
}

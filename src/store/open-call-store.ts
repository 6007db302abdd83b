import type { Logger } from '../log.js';
import { PgCallStore } from './pg-call-store.js';
import { SqliteCallStore } from './sqlite-call-store.js';
import type { CallStore } from './types.js';

export interface StoreSelection {
  /** postgres://… selects Postgres; unset keeps the embedded SQLite store. */
  databaseUrl?: string | undefined;
  sqlitePath: string;
  log: Logger;
}

/** The store the configuration asks for, opened and migrated. */
export async function openCallStore(sel: StoreSelection): Promise<CallStore> {
  if (sel.databaseUrl) return PgCallStore.open({ url: sel.databaseUrl, log: sel.log });
  return new SqliteCallStore({ path: sel.sqlitePath, log: sel.log });
}

/** For logs: which engine, never the URL (it may hold a password). */
export function storeEngine(databaseUrl: string | undefined): 'postgres' | 'sqlite' {
  return databaseUrl ? 'postgres' : 'sqlite';
}

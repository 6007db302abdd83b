import { SqliteCallStore, type StoredCall } from '../src/store/sqlite-call-store.js';
import type { TurnRecord } from '../src/store/types.js';

export interface ServerCallRecords {
  call: StoredCall | undefined;
  turns: TurnRecord[];
}

/**
 * What the server stored about each call (calls and turns tables), read through the store after the
 * server has exited and flushed: the bench checks its wire figures against these.
 */
export async function readServerRecords(
  dbPath: string,
  callIds: readonly string[],
): Promise<Map<string, ServerCallRecords>> {
  const store = new SqliteCallStore({ path: dbPath });
  try {
    const out = new Map<string, ServerCallRecords>();
    for (const id of callIds) {
      out.set(id, { call: await store.callById(id), turns: await store.turnsForCall(id) });
    }
    return out;
  } finally {
    await store.close();
  }
}

/**
 * The server turn that answers the caller's `i`-th line (0-based): the server numbers turns from 1
 * (0 is the greeting) and stores extra rows for a re-prompt inside a turn with empty caller text, so
 * the match is the i-th row that carries caller text.
 */
export function serverTurnForCallerLine(turns: readonly TurnRecord[], i: number): TurnRecord | undefined {
  return turns.filter((t) => t.callerText !== '').sort((a, b) => a.index - b.index)[i];
}

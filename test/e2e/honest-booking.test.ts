import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import type { CallStore } from '../../src/store/types.js';
import { script, startRig } from './rig.js';

/** The real SQLite store, except that every booking write fails the way a full disk would. */
function storeWithFailingBookings(dbPath: string): CallStore {
  const store = new SqliteCallStore({ path: dbPath });
  store.createBooking = async () => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };
  return store;
}

// A whole booking call through real sockets whose booking cannot reach the store: the caller is told
// their details were kept only when the journal really holds them.
describe('the apology for a booking that could not be stored', () => {
  let rig: Awaited<ReturnType<typeof startRig>> | undefined;
  afterEach(() => rig?.close());

  const lastAgentLine = (turns: { agentText: string; step: string }[]) => turns.at(-1);

  it('says the details were kept when the journal holds them', async () => {
    rig = await startRig({ script: script('booking-en'), store: storeWithFailingBookings });
    const call = await rig.call();
    expect(call.summary.outcome).toBe('booking-failed');
    expect(call.booking).toBeUndefined();
    const journal = readFileSync(join(dirname(rig.dbPath), 'booking-journal.jsonl'), 'utf8');
    expect(journal).toContain(call.uuid);
    expect(lastAgentLine(call.turns)).toMatchObject({ step: 'bookingFailed' });
    expect(lastAgentLine(call.turns)?.agentText).toMatch(/kept your details/);
  }, 120_000);

  it('promises nothing when the journal cannot be written either', async () => {
    rig = await startRig({ script: script('booking-en'), store: storeWithFailingBookings });
    // Once the server is up, a directory where the journal file should be: every append fails (EISDIR).
    mkdirSync(join(dirname(rig.dbPath), 'booking-journal.jsonl'));
    const call = await rig.call();
    expect(call.summary.outcome).toBe('booking-failed');
    expect(lastAgentLine(call.turns)).toMatchObject({ step: 'bookingFailed' });
    expect(lastAgentLine(call.turns)?.agentText).not.toMatch(/kept/);
    expect(lastAgentLine(call.turns)?.agentText).toMatch(/call us back/);
  }, 120_000);
});

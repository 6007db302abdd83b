import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import type { CallStore } from '../../src/store/types.js';
import { waitFor } from '../support/process-group.js';
import { script, startRig } from './rig.js';

/** The real SQLite store, except that booking writes fail the way a full disk would until `recover()`. */
function storeWithFailingBookings(dbPath: string): CallStore & { recover(): void } {
  const store = new SqliteCallStore({ path: dbPath });
  const createBooking = store.createBooking.bind(store);
  let full = true;
  return Object.assign(store, {
    recover: () => {
      full = false;
    },
    createBooking: async (b: Parameters<CallStore['createBooking']>[0]) => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return createBooking(b);
    },
  });
}

async function journalPending(httpPort: number | null): Promise<number | null> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const m = /^callchart_booking_journal_pending (\S+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

// A whole booking call through real sockets whose booking cannot reach the store: the caller is told
// their details were kept only when the journal really holds them.
describe('the apology for a booking that could not be stored', () => {
  let rig: Awaited<ReturnType<typeof startRig>> | undefined;
  afterEach(() => rig?.close());

  const lastAgentLine = (turns: { agentText: string; step: string }[]) => turns.at(-1);

  it('says the details were kept when the journal holds them; the background replay stores them later', async () => {
    let store: ReturnType<typeof storeWithFailingBookings> | undefined;
    rig = await startRig({
      script: script('booking-en'),
      store: (dbPath) => {
        store = storeWithFailingBookings(dbPath);
        return store;
      },
      journalReplayIntervalMs: 500,
    });
    const call = await rig.call();
    expect(call.summary.outcome).toBe('booking-failed');
    expect(call.booking).toBeUndefined();
    const journal = readFileSync(join(dirname(rig.dbPath), 'booking-journal.jsonl'), 'utf8');
    expect(journal).toContain(call.uuid);
    expect(lastAgentLine(call.turns)).toMatchObject({ step: 'bookingFailed' });
    expect(lastAgentLine(call.turns)?.agentText).toMatch(/kept your details/);
    // Still failing: the replays keep it pending, and /metrics says so.
    expect(await journalPending(rig.app.httpPort)).toBe(1);

    store?.recover();
    const httpPort = rig.app.httpPort;
    await waitFor(
      async () => (await rig?.app.store.bookingForCall(call.uuid)) !== undefined,
      30_000,
      () => 'the journalled booking never reached the store',
    );
    await waitFor(
      async () => (await journalPending(httpPort)) === 0,
      30_000,
      () => 'still counted as pending',
    );
    // The id the caller was given (in the journal) is the one stored.
    const stored = await rig.app.store.bookingForCall(call.uuid);
    expect(journal).toContain(stored!.id);
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

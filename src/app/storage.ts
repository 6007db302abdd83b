import { dirname, join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { BookingJournal } from '../store/booking-journal.js';
import { loadCallerHashKey } from '../store/caller-hash-key.js';
import { fieldCipher } from '../store/field-cipher.js';
import { closeInterruptedCalls } from '../store/interrupted-calls.js';
import { JournalReplayer } from '../store/journal-replayer.js';
import { openCallStore } from '../store/open-call-store.js';
import { startRetention } from '../store/retention.js';
import { callOwner } from '../store/store-identity.js';
import { seedTenantsFromFile } from '../store/tenant-seed.js';
import type { CallStore } from '../store/types.js';

/** The store and what keeps it whole: the booking journal, its replayer and the retention job. */
export interface Storage {
  readonly store: CallStore;
  readonly journal: BookingJournal;
  /** Keys the caller hash (repeat callers are recognised without keeping their number). */
  readonly callerHashKey: string;
  /** Stops retention and the replayer, then closes the store: the last thing the app closes. */
  close(): Promise<void>;
}

/**
 * Opens the store (or takes the one given), closes the calls this process's owner left open when it
 * died (kill -9: they are `interrupted`), seeds the tenants, and replays the booking journal
 * before the first call; the replayer then runs on in the background, so bookings kept while the
 * store was failing reach it once it recovers.
 */
export async function openStorage(
  config: Config,
  log: Logger,
  overrides: { store?: CallStore; journalReplayIntervalMs?: number; callOwner?: string },
): Promise<Storage> {
  const owner = overrides.callOwner ?? callOwner(config);
  const store =
    overrides.store ??
    (await openCallStore({
      databaseUrl: config.DATABASE_URL,
      sqlitePath: config.CALLCHART_DB,
      log,
      owner,
      ...(config.DATA_KEY ? { dataKey: config.DATA_KEY } : {}),
    }));
  // Before the first call: this process's calls left open by a crash are not running any more.
  await closeInterruptedCalls(store, owner, log);
  const callerHashKey = loadCallerHashKey(config.CALLER_HASH_KEY, config.CALLCHART_DB, log);
  if (config.TENANTS_FILE) {
    const n = await seedTenantsFromFile(store, config.TENANTS_FILE);
    log.info({ tenants: n, file: config.TENANTS_FILE }, 'tenants loaded');
  }
  const journal = new BookingJournal(
    join(dirname(config.CALLCHART_DB), 'booking-journal.jsonl'),
    log,
    Date.now,
    fieldCipher(config.DATA_KEY),
  );
  const replayer = new JournalReplayer(journal, store, log, overrides.journalReplayIntervalMs);
  await replayer.replayNow();
  replayer.start();
  const stopRetention = startRetention({
    store,
    traceDir: config.TRACE_DIR,
    days: config.RETENTION_DAYS,
    log,
  });
  return {
    store,
    journal,
    callerHashKey,
    async close() {
      stopRetention();
      await replayer.stop();
      await store.close();
    },
  };
}

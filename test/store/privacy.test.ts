import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GreetingCache } from '../../src/call/greeting.js';
import { loadCallerHashKey } from '../../src/store/caller-hash-key.js';
import { purgeExpired } from '../../src/store/retention.js';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import { captureLogger } from './capture-logger.js';
import { callRecord, turn } from './fixtures.js';
import { makeTempDir } from './temp-dir.js';

const DAY = 86_400_000;

describe('retention', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: SqliteCallStore;
  beforeEach(() => {
    tmp = makeTempDir();
    store = new SqliteCallStore({ path: join(tmp.dir, 'callchart.db') });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('blanks transcripts and deletes trace files older than RETENTION_DAYS, keeping the rest', async () => {
    const now = 1_800_000_000_000;
    await store.startCall(callRecord('old'));
    await store.startCall(callRecord('new'));
    await store.addTurn(turn('old', 1, { at: now - 31 * DAY, callerText: 'it is Priya Shah' }));
    await store.addTurn(turn('new', 1, { at: now - 2 * DAY, callerText: '12 Acacia Avenue' }));
    const traces = join(tmp.dir, 'traces');
    mkdirSync(traces);
    const oldTrace = join(traces, 'callchart-2026-01-01.jsonl');
    const newTrace = join(traces, 'callchart-2026-12-01.jsonl');
    const other = join(traces, 'notes.txt');
    for (const f of [oldTrace, newTrace, other]) writeFileSync(f, '{}\n');
    for (const f of [oldTrace, other]) utimesSync(f, (now - 40 * DAY) / 1000, (now - 40 * DAY) / 1000);
    utimesSync(newTrace, (now - DAY) / 1000, (now - DAY) / 1000);

    const { log } = captureLogger();
    const purged = await purgeExpired({ store, traceDir: traces, days: 30, log, now: () => now });
    expect(purged).toEqual({ turns: 1, traceFiles: 1 });
    expect((await store.turnsForCall('old'))[0]).toMatchObject({
      callerText: '',
      agentText: '',
      llmTtftMs: 210,
    });
    expect((await store.turnsForCall('new'))[0]?.callerText).toBe('12 Acacia Avenue');
    expect(() => statSync(oldTrace)).toThrow();
    expect(statSync(newTrace).isFile()).toBe(true);
    expect(statSync(other).isFile()).toBe(true); // not a trace file: not ours to delete
  });
});

describe('the caller-hash key', () => {
  it('is CALLER_HASH_KEY when set, else a random key made once beside the database (mode 600)', () => {
    const tmp = makeTempDir();
    try {
      const { log, lines } = captureLogger();
      const db = join(tmp.dir, 'data', 'callchart.db');
      expect(loadCallerHashKey('configured-key-of-16+', db, log)).toBe('configured-key-of-16+');
      const made = loadCallerHashKey('', db, log);
      expect(made).toMatch(/^[0-9a-f]{64}$/);
      const file = join(tmp.dir, 'data', 'caller-hash.key');
      expect(readFileSync(file, 'utf8').trim()).toBe(made);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadCallerHashKey('', db, log)).toBe(made); // the same key after a restart
      expect(lines().filter((l) => /CALLER_HASH_KEY is not set/.test(String(l.msg)))).toHaveLength(1);
      writeFileSync(file, 'not a key');
      expect(() => loadCallerHashKey('', db, log)).toThrow(/64-digit hex/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('the greeting cache key', () => {
  it('keeps apart two company names on one tenant, languages and times of day', () => {
    const cache = new GreetingCache();
    const base = {
      tenantId: 't',
      companyName: 'Acme',
      language: 'en' as const,
      timeOfDay: 'morning',
      format: 'slin/8000/v',
    };
    cache.set(base, Buffer.from('acme'));
    expect(cache.get(base)?.toString()).toBe('acme');
    expect(cache.get({ ...base, companyName: 'Other Ltd' })).toBeUndefined();
    expect(cache.get({ ...base, language: 'es' })).toBeUndefined();
    expect(cache.get({ ...base, timeOfDay: 'evening' })).toBeUndefined();
    // A "|" in a name cannot make another tenant's key.
    cache.set({ ...base, tenantId: 'a|b', companyName: 'c' }, Buffer.from('x'));
    expect(cache.get({ ...base, tenantId: 'a', companyName: 'b|c' })).toBeUndefined();
  });
});

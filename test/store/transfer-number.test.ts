import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import { parseTenant } from '../../src/store/tenant-schema.js';
import { seedDemoTenants } from '../../src/store/tenant-seed.js';
import { QUICK_FIX } from './fixtures.js';
import { makeTempDir } from './temp-dir.js';

describe('tenant transfer numbers and Twilio routing keys', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: SqliteCallStore;
  beforeEach(() => {
    tmp = makeTempDir();
    store = new SqliteCallStore({ path: join(tmp.dir, 'c.db') });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('stores an optional transfer number and clears it again', async () => {
    await store.upsertTenant({ ...QUICK_FIX, transferNumber: '+442079460999' });
    expect((await store.tenantForNumber('02012345678')).transferNumber).toBe('+442079460999');
    await store.upsertTenant(QUICK_FIX);
    expect(await store.tenantForNumber('02012345678')).not.toHaveProperty('transferNumber');
  });

  it('rejects a transfer number that is not a phone number', () => {
    expect(() => parseTenant({ ...QUICK_FIX, transferNumber: 'sip:someone' })).toThrow(/transferNumber/);
  });

  it('matches the E.164 To that Twilio sends against the national numbers of the example file', async () => {
    await seedDemoTenants(store);
    expect(await store.tenantForNumber('+442012345678')).toMatchObject({
      id: 'quick-fix-plumbing',
      tier: 'enterprise',
    });
    expect(await store.tenantForNumber('+441234567890')).toMatchObject({
      id: 'spark-electrical',
      tier: 'pro',
    });
    expect(await store.tenantForNumber('+441134960123')).toMatchObject({
      id: 'warm-home-heating',
      tier: 'free',
    });
  });
});

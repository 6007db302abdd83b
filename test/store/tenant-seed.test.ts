import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import {
  loadTenantsFile,
  seedDemoTenants,
  seedTenantsFromFile,
  TenantsFileError,
} from '../../src/store/tenant-seed.js';
import { makeTempDir } from './temp-dir.js';

describe('tenant seeding', () => {
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

  it('seeds the demo companies from tenants.example.json', async () => {
    expect(await seedDemoTenants(store)).toBeGreaterThanOrEqual(2);
    expect(await store.tenantForNumber('+44 20 1234 5678')).toMatchObject({
      companyName: 'Quick Fix Plumbing',
      calloutFee: 49,
    });
    expect(await store.tenantForNumber('01234567890')).toMatchObject({
      companyName: 'Spark Electrical',
      calloutFee: 59,
      tradeLabel: 'electrician',
    });
  });

  it('fills optional fields with defaults', async () => {
    const file = join(tmp.dir, 't.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          id: 'drain-doctors',
          number: '0161 496 0000',
          companyName: 'Drain Doctors',
          trade: 'drainage',
          tradeLabel: 'drainage engineer',
          calloutFee: 70,
          area: 'Salford',
        },
      ]),
    );
    await seedTenantsFromFile(store, file);
    expect(await store.tenantForNumber('01614960000')).toMatchObject({
      timeZone: 'Europe/London',
      language: 'en',
      tier: 'pro',
      voiceIds: { en: '', es: '' },
    });
  });

  it('reports every problem in an invalid file and writes nothing', async () => {
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ id: 'Bad Id', number: 'call me', calloutFee: 'free' }]));
    await expect(loadTenantsFile(file)).rejects.toThrow(
      /entry 1 field id:[\s\S]*entry 1 field number:[\s\S]*entry 1 field calloutFee:/,
    );
    await expect(loadTenantsFile(file)).rejects.toBeInstanceOf(TenantsFileError);
    writeFileSync(file, '{ not json');
    await expect(loadTenantsFile(file)).rejects.toThrow(/not valid JSON/);
    await expect(seedTenantsFromFile(store, file)).rejects.toThrow();
    expect((await store.tenantForNumber('01614960000')).id).toBe('default');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { CallMetadata } from '../../src/agi/call-metadata.js';
import { CallMetadataRegistry } from '../../src/agi/call-metadata-registry.js';

const UUID = '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';
const META: CallMetadata = { did: '02012345678', callerId: '+447700900123', source: 'fastagi-5.1' };

describe('CallMetadataRegistry', () => {
  const registries: CallMetadataRegistry[] = [];
  const make = (opts?: ConstructorParameters<typeof CallMetadataRegistry>[0]) => {
    const r = new CallMetadataRegistry(opts);
    registries.push(r);
    return r;
  };
  afterEach(() => {
    for (const r of registries.splice(0)) r.close();
  });

  it('hands an entry over once, whatever the UUID case', async () => {
    const r = make();
    r.put(UUID.toUpperCase(), META);
    expect(await r.take(UUID)).toEqual(META);
    expect(await r.take(UUID)).toBeUndefined();
  });

  it('waits for a registration that arrives slightly later', async () => {
    const r = make();
    const pending = r.take(UUID, 1000);
    setTimeout(() => r.put(UUID, META), 20);
    expect(await pending).toEqual(META);
    expect(r.size).toBe(0); // handed straight to the waiter, not stored
  });

  it('gives up after waitMs', async () => {
    const r = make();
    const started = performance.now();
    expect(await r.take(UUID, 50)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    r.put(UUID, META); // a late registration is stored for TTL, not lost to a dead waiter
    expect(r.size).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const r = make();
    const abort = new AbortController();
    const pending = r.take(UUID, 10_000, abort.signal);
    abort.abort();
    expect(await pending).toBeUndefined();
  });

  it('expires entries after the TTL', async () => {
    let now = 0;
    const r = make({ ttlMs: 30_000, now: () => now });
    r.put(UUID, META);
    r.put('00000000-0000-4000-8000-000000000000', META);
    now = 29_999;
    expect(r.sweep()).toBe(0);
    now = 30_000;
    expect(await r.take(UUID)).toBeUndefined(); // expired even before a sweep removes it
    expect(r.sweep()).toBe(1);
    expect(r.size).toBe(0);
  });

  it('sweeps on its own timer', async () => {
    const r = make({ ttlMs: 20, sweepMs: 10 });
    r.put(UUID, META);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(r.size).toBe(0);
  });

  it('drops the oldest entry beyond maxEntries', async () => {
    const r = make({ maxEntries: 2 });
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', UUID];
    for (const id of ids) r.put(id, META);
    expect(r.size).toBe(2);
    expect(await r.take(ids[0] ?? '')).toBeUndefined();
    expect(await r.take(UUID)).toEqual(META);
  });

  it('close releases every waiter', async () => {
    const r = make();
    const pending = r.take(UUID, 10_000);
    r.close();
    expect(await pending).toBeUndefined();
  });
});

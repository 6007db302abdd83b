import { describe, expect, it } from 'vitest';
import { GreetingCache, type GreetingKey } from '../../src/call/greeting.js';

const key = (tenantId: string): GreetingKey => ({
  tenantId,
  companyName: 'Acme',
  language: 'en',
  timeOfDay: 'morning',
  format: 'slin/8000/voice-1',
});

describe('GreetingCache', () => {
  it('keys clips by tenant, language, time of day and format', () => {
    const cache = new GreetingCache();
    const clip = Buffer.alloc(320, 1);
    cache.set(key('a'), clip);
    expect(cache.get(key('a'))).toBe(clip);
    expect(cache.get({ ...key('a'), timeOfDay: 'evening' })).toBeUndefined();
    expect(cache.get({ ...key('a'), format: 'ulaw/8000/voice-1' })).toBeUndefined();
    expect(cache.get(key('b'))).toBeUndefined();
  });

  it('stays within its byte budget, dropping the least recently used clip first', () => {
    const cache = new GreetingCache(1000);
    cache.set(key('a'), Buffer.alloc(400));
    cache.set(key('b'), Buffer.alloc(400));
    cache.get(key('a')); // a is now more recent than b
    cache.set(key('c'), Buffer.alloc(400));
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    expect(cache.get(key('b'))).toBeUndefined();
    expect(cache.get(key('a'))).toBeDefined();
    expect(cache.get(key('c'))).toBeDefined();
  });

  it('does not keep a clip larger than the whole budget', () => {
    const cache = new GreetingCache(1000);
    cache.set(key('a'), Buffer.alloc(1001));
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { fromWorkerMessage, toWorkerMessage } from '../../src/workers/worker-messages.js';

describe('WORKERS and the worker messages', () => {
  it('WORKERS is 1 by default, a count, or auto (one per core); nothing else', () => {
    expect(loadConfig({}, '').WORKERS).toBe(1);
    expect(loadConfig({ WORKERS: '3' }, '').WORKERS).toBe(3);
    expect(loadConfig({ WORKERS: 'auto' }, '').WORKERS).toBe(availableParallelism());
    for (const bad of ['0', '-1', '1.5', 'many', '65'])
      expect(() => loadConfig({ WORKERS: bad }, ''), bad).toThrow(/WORKERS/);
  });

  it('accepts well-formed messages and rejects anything else at the edge', () => {
    const meta = { did: '02012345678', callerId: '+447700900123', source: 'fastagi-5.1' };
    expect(toWorkerMessage.safeParse({ type: 'register', uuid: 'u-1', meta }).success).toBe(true);
    expect(toWorkerMessage.safeParse({ type: 'shutdown' }).success).toBe(true);
    expect(toWorkerMessage.safeParse({ type: 'register', uuid: '', meta }).success).toBe(false);
    expect(toWorkerMessage.safeParse({ type: 'register', uuid: 'u', meta: { did: 1 } }).success).toBe(false);
    expect(toWorkerMessage.safeParse({ type: 'eval', code: 'x' }).success).toBe(false);
    expect(fromWorkerMessage.safeParse({ type: 'ready', audioSocketPort: 9100 }).success).toBe(true);
    expect(fromWorkerMessage.safeParse({ type: 'ready', audioSocketPort: 70000 }).success).toBe(false);
    expect(fromWorkerMessage.safeParse({ type: 'load', calls: -1, loopDelayMs: 3 }).success).toBe(false);
    expect(fromWorkerMessage.safeParse('load').success).toBe(false);
    const outcome = { type: 'outcome', uuid: 'u-1', outcome: 'transferred', transferTo: '+442079460999' };
    expect(fromWorkerMessage.safeParse(outcome).success).toBe(true);
    expect(fromWorkerMessage.safeParse({ ...outcome, outcome: '' }).success).toBe(false);
    expect(fromWorkerMessage.safeParse({ ...outcome, transferTo: '1'.repeat(100) }).success).toBe(false);
  });
});

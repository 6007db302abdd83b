import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';

describe('bench arguments', () => {
  it('reads the documented flags', () => {
    const { bench, json } = parseBenchArgs([
      '--calls',
      '50',
      '--seconds',
      '20',
      '--json',
      '--arrival',
      'burst',
    ]);
    expect(json).toBe(true);
    expect(bench).toMatchObject({ calls: 50, seconds: 20, arrival: 'burst', skipFloor: false });
    expect(bench.skipProviderFloor).toBe(false);
    expect(bench.workers).toBe(1);
    expect(parseBenchArgs(['--workers', 'auto']).bench.workers).toBe('auto');
    expect(parseBenchArgs(['--workers', '3']).bench.workers).toBe(3);
    expect(parseBenchArgs(['--skip-provider-floor']).bench).toMatchObject({
      skipFloor: false,
      skipProviderFloor: true,
    });
  });

  it('takes an optional directory after --cpu-prof', () => {
    expect(parseBenchArgs(['--cpu-prof']).bench.cpuProfDir).toBe('bench/profiles');
    expect(parseBenchArgs(['--cpu-prof', 'out', '--calls', '3']).bench).toMatchObject({
      cpuProfDir: 'out',
      calls: 3,
    });
    expect(parseBenchArgs(['--cpu-prof', '--skip-floor']).bench).toMatchObject({
      cpuProfDir: 'bench/profiles',
      skipFloor: true,
    });
  });

  it('rejects what it cannot run', () => {
    expect(() => parseBenchArgs(['--calls', '0'])).toThrow(/--calls/);
    expect(() => parseBenchArgs(['--arrival', 'sometimes'])).toThrow(/--arrival/);
    expect(() => parseBenchArgs(['--bogus'])).toThrow();
    expect(() => parseBenchArgs(['--workers', 'lots'])).toThrow(/--workers/);
  });
});

describe('bench scripts and profiles', () => {
  it('--scripts picks a named script set', () => {
    expect(parseBenchArgs([]).bench.scripts).toBe('booking');
    expect(parseBenchArgs(['--scripts', 'mixed']).bench.scripts).toBe('mixed');
    expect(() => parseBenchArgs(['--scripts', 'poetry'])).toThrow(/--scripts/);
  });
});

describe('bench STT choice', () => {
  it('--stt-model and --eager-eot reach the server configuration, checked first', () => {
    expect(parseBenchArgs(['--stt-model', 'flux-general-en', '--eager-eot', '0.4']).bench.stt).toEqual({
      model: 'flux-general-en',
      eagerEotThreshold: '0.4',
    });
    expect(parseBenchArgs([]).bench.stt).toBeUndefined();
    expect(() => parseBenchArgs(['--eager-eot', '0.95'])).toThrow(/--eager-eot/);
    expect(() => parseBenchArgs(['--stt-model', 'Nova 3'])).toThrow(/--stt-model/);
  });
});

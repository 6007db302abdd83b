import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';

describe('bench --transport', () => {
  it('defaults to AudioSocket, takes twilio, and refuses anything else', () => {
    expect(parseBenchArgs([]).bench.transport).toBe('audiosocket');
    expect(parseBenchArgs(['--transport', 'twilio']).bench.transport).toBe('twilio');
    expect(() => parseBenchArgs(['--transport', 'sip'])).toThrow(/--transport/);
  });
});

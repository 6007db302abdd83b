import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone } from '../../src/log.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
  });
  return { log: createLogger({ destination: stream, level: 'debug' }), lines };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('logging', () => {
  it('writes JSON with call fields and redacts API keys wherever they sit', async () => {
    const { log, lines } = capture();
    log.child({ callId: 'c1', tenant: 'acme', turn: 3 }).info(
      {
        apiKey: 'gsk_live_123',
        provider: { apiKey: 'sk-ant-456' },
        headers: { authorization: 'Token dg_789' },
      },
      'provider call',
    );
    await flush();
    const line = lines[0]!;
    expect(line).toMatchObject({ callId: 'c1', tenant: 'acme', turn: 3, msg: 'provider call' });
    const text = JSON.stringify(line);
    for (const secret of ['gsk_live_123', 'sk-ant-456', 'dg_789']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('masks phone numbers in caller fields', async () => {
    const { log, lines } = capture();
    log.info({ caller: '+447700900123', callerId: '07700 900456' }, 'call');
    await flush();
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('7700900123');
    expect(text).not.toContain('900456');
    expect(lines[0]).toMatchObject({ caller: '+44*******123' });
  });

  it('masking never reveals more than the last three digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ]{6,16}$/), (n) => {
        const masked = String(maskPhone(n));
        const digits = masked.replace(/[^0-9]/g, '');
        const original = n.replace(/[^0-9]/g, '');
        expect(digits.length).toBeLessThanOrEqual(5); // country code (2) + last three
        expect(original.endsWith(digits.slice(-3))).toBe(true);
      }),
    );
  });
});

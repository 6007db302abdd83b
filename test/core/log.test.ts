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

  it('masks phone fields and removes names and addresses at any depth', async () => {
    const { log, lines } = capture();
    log.error(
      {
        booking: {
          customerName: 'Priya Shah',
          address: '12 Acacia Avenue',
          postcode: 'NN15 6QP',
          problem: 'leak',
        },
        calls: [{ meta: { callerId: '+353871234567', did: '02012345678' } }],
      },
      'booking journal failed',
    );
    await flush();
    const text = JSON.stringify(lines[0]);
    for (const secret of ['Priya', 'Acacia', 'NN15', '871234', '2012345']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      booking: { customerName: '[personal]', address: '[personal]', problem: 'leak' },
      calls: [{ meta: { callerId: '+353******567' } }],
    });
  });

  it('masking never reveals more than the last three digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ]{6,16}$/), (n) => {
        const masked = String(maskPhone(n));
        const digits = masked.replace(/[^0-9]/g, '');
        const original = n.replace(/[^0-9]/g, '');
        expect(digits.length).toBeLessThanOrEqual(6); // country code (1-3 digits) + last three
        expect(original.endsWith(digits.slice(-3))).toBe(true);
      }),
    );
  });
});

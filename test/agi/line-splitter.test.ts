import { describe, expect, it } from 'vitest';
import { LineSplitter, LineTooLongError } from '../../src/agi/line-splitter.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks and keeps a CR as data', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('agi_network: y'))).toEqual([]);
    expect(s.push(Buffer.from('es\nagi_channel: PJSIP/x\r\n\n200 re'))).toEqual([
      'agi_network: yes',
      'agi_channel: PJSIP/x\r',
      '',
    ]);
    expect(s.pendingBytes).toBe(6);
  });

  it('decodes a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from('agi_calleridname: José\n');
    const cut = bytes.indexOf(0xa9); // second byte of "é"
    const s = new LineSplitter();
    expect(s.push(bytes.subarray(0, cut))).toEqual([]);
    expect(s.push(bytes.subarray(cut))).toEqual(['agi_calleridname: José']);
  });

  it('refuses a line over the limit, whether or not it is terminated', () => {
    expect(() => new LineSplitter(8).push(Buffer.from('123456789\n'))).toThrow(LineTooLongError);
    const s = new LineSplitter(8);
    s.push(Buffer.from('12345'));
    expect(() => s.push(Buffer.from('6789'))).toThrow(LineTooLongError);
  });
});

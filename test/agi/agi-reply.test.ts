import { describe, expect, it } from 'vitest';
import { AgiReplyError, AgiReplyParser } from '../../src/agi/agi-reply.js';

describe('AgiReplyParser', () => {
  it('reads success replies, with data that itself holds parentheses', () => {
    const p = new AgiReplyParser();
    expect(p.push('200 result=1')).toEqual({ kind: 'success', result: 1, line: '200 result=1' });
    expect(p.push('200 result=0')).toMatchObject({ kind: 'success', result: 0 });
    expect(p.push('200 result=-2')).toMatchObject({ kind: 'success', result: -2 });
    expect(p.push('200 result=1 (f(x) = (y))')).toMatchObject({ result: 1, data: 'f(x) = (y)' });
    expect(p.push('200 result=1 ()')).toMatchObject({ result: 1, data: '' });
  });

  it('reads 510 and 511', () => {
    const p = new AgiReplyParser();
    expect(p.push('510 Invalid or unknown command')).toEqual({
      kind: 'failure',
      code: 510,
      text: 'Invalid or unknown command',
      usage: [],
    });
    expect(p.push('511 Command Not Permitted on a dead channel or intercept routine')).toMatchObject({
      kind: 'failure',
      code: 511,
    });
  });

  it('collects a multi-line 520 usage block', () => {
    const p = new AgiReplyParser();
    expect(p.push('520-Invalid command syntax.  Proper usage follows:')).toBeUndefined();
    expect(p.push('Usage: SET VARIABLE <variablename> <value>')).toBeUndefined();
    expect(p.push('200 result=1 looks like a reply but is usage text')).toBeUndefined();
    expect(p.push('520 End of proper usage.')).toEqual({
      kind: 'failure',
      code: 520,
      text: 'End of proper usage.',
      usage: [
        'Usage: SET VARIABLE <variablename> <value>',
        '200 result=1 looks like a reply but is usage text',
      ],
    });
    expect(p.push('520 Invalid command syntax.  Proper usage not available.')).toMatchObject({ code: 520 });
  });

  it('recognises the unsolicited HANGUP line', () => {
    expect(new AgiReplyParser().push('HANGUP')).toEqual({ kind: 'hangup' });
  });

  it.each(['', 'hello', '200 ok', 'HTTP/1.1 200 OK', '200 result=abc'])('rejects %j', (line) => {
    expect(() => new AgiReplyParser().push(line)).toThrow(AgiReplyError);
  });
});

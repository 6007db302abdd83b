import { describe, expect, it } from 'vitest';
import {
  AgiEnvironmentError,
  callFactsFromEnvironment,
  parseEnvironmentLine,
  toAgiEnvironment,
} from '../../src/agi/agi-environment.js';

function env(extra: Record<string, string>) {
  return toAgiEnvironment(
    new Map(Object.entries({ agi_channel: 'PJSIP/trunk-1', agi_uniqueid: '1718000000.42', ...extra })),
  );
}

describe('AGI environment', () => {
  it('parses key: value lines, including an empty value with a trailing space', () => {
    expect(parseEnvironmentLine('agi_callerid: +447700900123')).toEqual(['agi_callerid', '+447700900123']);
    expect(parseEnvironmentLine('agi_accountcode: ')).toEqual(['agi_accountcode', '']);
    expect(parseEnvironmentLine('agi_accountcode:')).toEqual(['agi_accountcode', '']);
    expect(parseEnvironmentLine('agi_request: agi://10.0.0.5:4573/x')).toEqual([
      'agi_request',
      'agi://10.0.0.5:4573/x',
    ]);
  });

  it.each(['GET / HTTP/1.1', 'Host: example', 'agi_callerid +44', ': value', 'AGI_CHANNEL: x'])(
    'rejects %j',
    (line) => {
      expect(() => parseEnvironmentLine(line)).toThrow(AgiEnvironmentError);
    },
  );

  it('requires the channel and unique id', () => {
    expect(() => toAgiEnvironment(new Map([['agi_network', 'yes']]))).toThrow(/agi_channel/);
  });

  it('collects agi_arg_N in order', () => {
    expect(env({ agi_arg_2: 'b', agi_arg_1: 'a', agi_arg_4: 'skipped' }).args).toEqual(['a', 'b']);
  });

  describe('callFactsFromEnvironment', () => {
    it('pattern 5.1: DID and caller from the arguments', () => {
      expect(callFactsFromEnvironment(env({ agi_arg_1: '02012345678', agi_arg_2: '+447700900123' }))).toEqual(
        {
          pattern: '5.1',
          did: '02012345678',
          callerId: '+447700900123',
        },
      );
    });

    it('pattern 5.1: falls back to agi_extension, agi_dnid and agi_callerid', () => {
      expect(
        callFactsFromEnvironment(
          env({ agi_extension: 's', agi_dnid: '4420711112222', agi_callerid: '07700 900123' }),
        ),
      ).toEqual({ pattern: '5.1', did: '4420711112222', callerId: '07700900123' });
      expect(
        callFactsFromEnvironment(env({ agi_extension: '02012345678', agi_callerid: 'unknown' })),
      ).toEqual({
        pattern: '5.1',
        did: '02012345678',
        callerId: '',
      });
    });

    it('pattern 5.2: a UUID first, then DID and caller', () => {
      expect(
        callFactsFromEnvironment(
          env({
            agi_arg_1: '6F1C2A9E-3B4D-4C5E-8F60-718293A4B5C6',
            agi_arg_2: '02012345678',
            agi_arg_3: 'anonymous',
          }),
        ),
      ).toEqual({
        pattern: '5.2',
        uuid: '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6',
        did: '02012345678',
        callerId: '',
      });
    });

    it('ignores an argument that is not a number', () => {
      expect(
        callFactsFromEnvironment(env({ agi_arg_1: '$(rm -rf)', agi_extension: '01234567890' })).did,
      ).toBe('01234567890');
    });
  });
});

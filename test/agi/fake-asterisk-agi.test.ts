import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentBlock, runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { LineSplitter } from '../../src/agi/line-splitter.js';

/** A scripted FastAGI server: sends each command after the previous reply, records everything it reads. */
async function scriptedServer(
  commands: string[],
): Promise<{ server: Server; port: number; seen: Promise<string[]> }> {
  let done: (lines: string[]) => void = () => undefined;
  const seen = new Promise<string[]>((resolve) => {
    done = resolve;
  });
  const server = createServer((socket: Socket) => {
    const splitter = new LineSplitter();
    const lines: string[] = [];
    let inEnv = true;
    let next = 0;
    let multiLine = false;
    const sendNext = () => {
      const cmd = commands[next++];
      if (cmd === undefined) socket.end();
      else socket.write(cmd);
    };
    socket.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        lines.push(line);
        if (inEnv) {
          if (line === '') {
            inEnv = false;
            sendNext();
          }
          continue;
        }
        if (line === 'HANGUP') continue;
        if (line.startsWith('520-')) multiLine = true;
        if (multiLine && !line.startsWith('520 ')) continue;
        multiLine = false;
        sendNext();
      }
    });
    socket.on('close', () => done(lines));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, seen };
}

describe('fake Asterisk FastAGI peer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('writes the environment block in setup_env order, ending with an empty line', () => {
    const block = environmentBlock({
      host: '10.0.0.5',
      port: 4573,
      script: 'voice-agent',
      args: ['4420711112222', '+447700900123'],
      env: { callerid: '+447700900123' },
    });
    const keys = block
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(0, l.indexOf(':')));
    expect(keys.slice(0, 4)).toEqual(['agi_network', 'agi_network_script', 'agi_request', 'agi_channel']);
    expect(keys.slice(-4)).toEqual(['agi_accountcode', 'agi_threadid', 'agi_arg_1', 'agi_arg_2']);
    expect(block).toContain('agi_request: agi://10.0.0.5:4573/voice-agent\n');
    expect(block).toContain('agi_accountcode: \n');
    expect(block.endsWith('agi_arg_2: +447700900123\n\n')).toBe(true);
    expect(block).not.toContain('\r');
  });

  it('answers like res_agi.c and writes HANGUP after the server closes', async () => {
    const s = await scriptedServer([
      'SET VARIABLE GREETING "hello there"\n',
      'GET VARIABLE GREETING\n',
      'get variable NOPE\n',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Asterisk expression, not a JS template
      'GET FULL VARIABLE ${GREETING}/x\n',
      'SET VARIABLE TOO many words here\n',
      'FLY TO THE MOON\n',
      'VERBOSE "testing" 1\n',
      'SET VARIABLE CRLF abc\r\n',
    ]);
    server = s.server;
    const call = await runFakeAgiCall({ host: '127.0.0.1', port: s.port, args: ['x'] });
    const lines = await s.seen;
    const replies = lines.slice(lines.indexOf('') + 1);
    expect(replies).toEqual([
      '200 result=1',
      '200 result=1 (hello there)',
      '200 result=0',
      '200 result=1 (hello there/x)',
      '520-Invalid command syntax.  Proper usage follows:',
      'Usage: SET VARIABLE <variablename> <value>',
      '520 End of proper usage.',
      '510 Invalid or unknown command',
      '200 result=1',
      '200 result=1',
      'HANGUP',
    ]);
    expect(call.agiStatus).toBe('SUCCESS');
    expect(call.variables).toEqual({ GREETING: 'hello there', CRLF: 'abc\r' });
    expect(call.sawCarriageReturn).toBe(true);
  });

  it('after a caller hangup, refuses live-only commands with 511 and reports AGISTATUS=HANGUP', async () => {
    const s = await scriptedServer(['ANSWER\n', 'SET VARIABLE X 1\n']);
    server = s.server;
    const call = await runFakeAgiCall({ host: '127.0.0.1', port: s.port, callerHangsUpAfter: 0 });
    const lines = await s.seen;
    expect(lines.slice(lines.indexOf('') + 1)).toEqual([
      'HANGUP',
      '511 Command Not Permitted on a dead channel or intercept routine',
      '200 result=1',
      'HANGUP',
    ]);
    expect(call.agiStatus).toBe('HANGUP');
    expect(call.variables).toEqual({ X: '1' });
  });
});

import { connect } from 'node:net';
import { parseAgiWords } from '../../src/agi/agi-words.js';

/**
 * A protocol-faithful stand-in for Asterisk running `AGI(agi://host:port/script,arg1,…)`, written from
 * docs/protocols/agi.md §7: it connects as the client, writes the environment block in `setup_env()` order,
 * then answers commands the way `res_agi.c` does. It keeps a CR that arrives before LF as data, so a server
 * that sends CRLF is caught by its own test.
 */
export interface FakeAgiCallOptions {
  host: string;
  port: number;
  /** The part of the URL after host:port/ (agi_network_script). */
  script?: string;
  /** AGI() arguments after the URL: agi_arg_1 … */
  args?: string[];
  /** Overrides for environment values (keys without the agi_ prefix, e.g. { callerid: '+44…' }). */
  env?: Partial<Record<EnvKey, string>>;
  /** Send these bytes instead of a well-formed environment block (bad-input tests). */
  rawPreamble?: string | Buffer;
  /** The caller hangs up after this many commands were answered (0: right after the environment). */
  callerHangsUpAfter?: number;
  /**
   * Fault injection: a reply to send instead of the faithful one. Return undefined to keep the faithful
   * reply, or null to send nothing at all (a stalled Asterisk).
   */
  replyOverride?: (words: string[]) => string | null | undefined;
  /** Variables already set on the channel (for GET VARIABLE). */
  variables?: Record<string, string>;
  /** Bounds the test: real Asterisk would wait forever (docs/protocols/agi.md §4). Default 5000 ms. */
  timeoutMs?: number;
}

export interface FakeAgiCallResult {
  /** What the dialplan would see in ${AGISTATUS}. */
  agiStatus: 'SUCCESS' | 'FAILURE' | 'HANGUP';
  /** The channel variables after the session (SET VARIABLE writes here). */
  variables: Record<string, string>;
  /** Every command line received, exactly as sent (without the LF). */
  commandLines: string[];
  /** The same lines split into words by Asterisk's rules. */
  commands: string[][];
  /** True if any command line carried a CR (a server bug: the CR becomes data). */
  sawCarriageReturn: boolean;
  /** Bytes received after the last LF when the server closed (an unterminated command). */
  trailingBytes: number;
}

/** Keys of the environment block, in the order `setup_env()` writes them (docs/protocols/agi.md §2). */
const ENV_ORDER = [
  'request',
  'channel',
  'language',
  'type',
  'uniqueid',
  'version',
  'callerid',
  'calleridname',
  'callingpres',
  'callingani2',
  'callington',
  'callingtns',
  'dnid',
  'rdnis',
  'context',
  'extension',
  'priority',
  'enhanced',
  'accountcode',
  'threadid',
] as const;
type EnvKey = (typeof ENV_ORDER)[number];

/**
 * Of the commands the fake knows, those a dead (hung-up) channel refuses with 511 (docs/protocols/agi.md
 * §3.3).
 */
const LIVE_ONLY = new Set(['answer', 'hangup']);

const USAGE: Record<string, string> = {
  'set variable': 'Usage: SET VARIABLE <variablename> <value>',
  'get variable': 'Usage: GET VARIABLE <variablename>',
  'get full variable': 'Usage: GET FULL VARIABLE <variablename> [<channel name>]',
};

export function environmentBlock(opts: FakeAgiCallOptions): string {
  const script = opts.script ?? '';
  const values: Record<EnvKey, string> = {
    request: `agi://${opts.host}:${opts.port}${script ? `/${script}` : ''}`,
    channel: 'PJSIP/trunk-0000002a',
    language: 'en',
    type: 'PJSIP',
    uniqueid: '1718000000.42',
    version: '22.5.0',
    callerid: 'unknown',
    calleridname: 'unknown',
    callingpres: '0',
    callingani2: '0',
    callington: '0',
    callingtns: '0',
    dnid: 'unknown',
    rdnis: 'unknown',
    context: 'from-trunk',
    extension: 's',
    priority: '2',
    enhanced: '0.0',
    accountcode: '',
    threadid: '140245011449600',
    ...opts.env,
  };
  const lines = ['agi_network: yes'];
  if (script) lines.push(`agi_network_script: ${script}`);
  // `%s: %s\n` even for an empty value, hence "agi_accountcode: " with its trailing space.
  for (const key of ENV_ORDER) lines.push(`agi_${key}: ${values[key]}`);
  for (const [i, arg] of (opts.args ?? []).entries()) lines.push(`agi_arg_${i + 1}: ${arg}`);
  return `${lines.join('\n')}\n\n`;
}

/** Runs one AGI() application execution against a FastAGI server and reports what the dialplan would see. */
export function runFakeAgiCall(opts: FakeAgiCallOptions): Promise<FakeAgiCallResult> {
  const variables: Record<string, string> = { ...opts.variables };
  const commandLines: string[] = [];
  const commands: string[][] = [];
  let buffered = Buffer.alloc(0);
  let answered = 0;
  let dead = false;

  return new Promise((resolve, reject) => {
    const socket = connect({ host: opts.host, port: opts.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`fake Asterisk: FastAGI server did not finish within ${opts.timeoutMs ?? 5000} ms`));
    }, opts.timeoutMs ?? 5000);

    const result = (agiStatus: FakeAgiCallResult['agiStatus']): FakeAgiCallResult => ({
      agiStatus,
      variables,
      commandLines,
      commands,
      sawCarriageReturn: commandLines.some((l) => l.includes('\r')),
      trailingBytes: buffered.length,
    });

    const hangUpIfDue = () => {
      if (!dead && opts.callerHangsUpAfter === answered) {
        dead = true;
        socket.write('HANGUP\n');
      }
    };

    socket.on('connect', () => {
      socket.write(opts.rawPreamble ?? environmentBlock(opts));
      hangUpIfDue();
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let lf = buffered.indexOf(0x0a); lf !== -1; lf = buffered.indexOf(0x0a)) {
        // Only the LF is stripped; a CR before it stays in the text (docs/protocols/agi.md §3.1).
        const line = buffered.subarray(0, lf).toString('utf8');
        buffered = buffered.subarray(lf + 1);
        commandLines.push(line);
        const words = parseAgiWords(line);
        commands.push(words);
        const override = opts.replyOverride?.(words);
        if (override !== null) socket.write(`${override ?? reply(words, variables, dead)}\n`);
        answered++;
        hangUpIfDue();
      }
    });
    socket.on('end', () => {
      // The server closed: Asterisk writes one more HANGUP (usually lost) and ends too (docs/protocols/agi.md
      // §4).
      clearTimeout(timer);
      socket.end('HANGUP\n');
      resolve(result(dead ? 'HANGUP' : 'SUCCESS'));
    });
    socket.on('error', () => {
      clearTimeout(timer);
      socket.destroy();
      // Connection refused or reset: AGISTATUS=FAILURE and the dialplan carries on (docs/protocols/agi.md
      // §4).
      resolve(result('FAILURE'));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(result(dead ? 'HANGUP' : 'FAILURE')); // no-op if already settled via 'end'
    });
  });
}

/** The faithful reply to one command (docs/protocols/agi.md §3.2, §3.3). */
function reply(words: string[], variables: Record<string, string>, dead: boolean): string {
  const lower = words.map((w) => w.toLowerCase());
  const name = commandName(lower);
  if (!name) return '510 Invalid or unknown command';
  if (dead && LIVE_ONLY.has(name)) return '511 Command Not Permitted on a dead channel or intercept routine';
  switch (name) {
    case 'set variable': {
      if (words.length !== 4) return usage(name);
      variables[words[2] ?? ''] = words[3] ?? '';
      return '200 result=1';
    }
    case 'get variable': {
      if (words.length !== 3) return usage(name);
      const value = variables[words[2] ?? ''];
      return value === undefined ? '200 result=0' : `200 result=1 (${value.slice(0, 1023)})`;
    }
    case 'get full variable': {
      if (words.length < 4 || words.length > 5) return usage(name);
      const expanded = (words[3] ?? '').replace(/\$\{([^}]+)\}/g, (_m, v: string) => variables[v] ?? '');
      return `200 result=1 (${expanded})`;
    }
    case 'verbose':
      return words.length >= 2 ? '200 result=1' : '520 Invalid command syntax.  Proper usage not available.';
    case 'exec':
      return '200 result=-2'; // no dialplan applications exist in the fake
    case 'answer':
      return '200 result=0';
    case 'hangup':
      return '200 result=1';
    default:
      return '510 Invalid or unknown command';
  }
}

function commandName(lower: string[]): string | undefined {
  const [a = '', b = '', c = ''] = lower;
  if (a === 'get' && b === 'full' && c === 'variable') return 'get full variable';
  if ((a === 'get' || a === 'set') && b === 'variable') return `${a} variable`;
  if (['verbose', 'exec', 'answer', 'hangup'].includes(a)) return a;
  return undefined;
}

function usage(name: string): string {
  const text = USAGE[name];
  if (!text) return '520 Invalid command syntax.  Proper usage not available.';
  return `520-Invalid command syntax.  Proper usage follows:\n${text}\n520 End of proper usage.`;
}

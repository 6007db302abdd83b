/**
 * `npm run respond -- in.wav out.wav [--tenant ID] [--language en|es] [--history file.json] [--json]`
 *
 * One recorded utterance in, the agent's spoken answer out (src/respond). With provider keys in the
 * environment or `.env` it calls the real vendors; with SIM=1, or with no keys at all, it first starts
 * the provider simulators in this process and points the adapters at them, so it runs with no account.
 * This runner lives in sim/ because it may start simulators; the pipeline itself is in src/.
 */
import { basename } from 'node:path';
import { type Config, ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { runRespondCli } from '../../src/respond/cli.js';
import { parseRespondArgs } from '../../src/respond/cli-args.js';
import { DEMO_TENANTS_FILE } from '../../src/store/tenant-seed.js';
import { startSimStack } from '../stack.js';
import { simScriptFor } from './sim-script.js';

const PROVIDER_KEYS = [
  'DEEPGRAM_API_KEY',
  'CARTESIA_API_KEY',
  'GROQ_API_KEY',
  'CEREBRAS_API_KEY',
  'ANTHROPIC_API_KEY',
] as const satisfies readonly (keyof Config)[];

const argv = process.argv.slice(2);
let input: string;
try {
  input = parseRespondArgs(argv).input; // before any simulator starts: a typo fails at once
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
let base: Config;
try {
  base = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : String(err));
  process.exit(2);
}
// The one-shot output is the report; logs go to stderr and only warnings unless LOG_LEVEL says more.
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
const onSims = base.SIM === true || PROVIDER_KEYS.every((k) => base[k] === '');
const out = (line: string) => console.log(line);
const err = (line: string) => console.error(line);

let code: number;
if (onSims) {
  const stack = await startSimStack({ script: simScriptFor(basename(input)), log });
  try {
    const config = loadConfig({ ...process.env, ...stack.env }, '');
    if (!argv.includes('--json')) err('(on the provider simulators: SIM=1 or no provider keys set)');
    code = await runRespondCli(argv, {
      config,
      log,
      tenantsFile: base.TENANTS_FILE ?? DEMO_TENANTS_FILE,
      out,
      err,
    });
  } finally {
    await stack.close();
  }
} else {
  code = await runRespondCli(argv, {
    config: base,
    log,
    ...(base.TENANTS_FILE ? { tenantsFile: base.TENANTS_FILE } : {}),
    out,
    err,
  });
}
process.exit(code);

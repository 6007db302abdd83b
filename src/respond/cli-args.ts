import { parseArgs } from 'node:util';
import type { Language } from '../../machines/call.types.js';

export interface RespondCliArgs {
  input: string;
  output: string;
  tenant?: string;
  language?: Language;
  historyFile?: string;
  json: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const RESPOND_USAGE =
  'usage: npm run respond -- in.wav out.wav [--tenant ID] [--language en|es] [--history file.json] [--json]';

/** Parses `in.wav out.wav [--tenant ID] [--language en|es] [--history file.json] [--json]`. */
export function parseRespondArgs(argv: readonly string[]): RespondCliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${RESPOND_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new UsageError(`expected an input and an output WAV\n${RESPOND_USAGE}`);
  const language = values.language;
  if (language !== undefined && language !== 'en' && language !== 'es') {
    throw new UsageError(`--language must be en or es, got "${language}"`);
  }
  return {
    input: positionals[0]!,
    output: positionals[1]!,
    json: values.json ?? false,
    ...(values.tenant ? { tenant: values.tenant } : {}),
    ...(language ? { language } : {}),
    ...(values.history ? { historyFile: values.history } : {}),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      tenant: { type: 'string' },
      language: { type: 'string' },
      history: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
}

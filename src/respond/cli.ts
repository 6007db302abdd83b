import { readFile, writeFile } from 'node:fs/promises';
import { WavFormatError } from '../audio/wav-reader.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createLlmChainFromConfig } from '../providers/llm/chain-from-config.js';
import { llmChainSpec } from '../providers/llm/chain-spec.js';
import { loadTenantsFile } from '../store/tenant-seed.js';
import { parseRespondArgs, type RespondCliArgs, UsageError } from './cli-args.js';
import { loadHistoryFile } from './history-file.js';
import { respond } from './respond.js';
import { respondDepsFromConfig } from './respond-deps.js';
import type { RespondResult } from './respond-types.js';
import { tenantLookupFromList, UnknownTenantError } from './tenant-lookup.js';
import { streamingLine, timingLine } from './timing-report.js';

export interface RespondCliEnv {
  config: Config;
  log: Logger;
  /** Tenants to choose from with --tenant (TENANTS_FILE, or the sample companies on the simulators). */
  tenantsFile?: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `npm run respond -- in.wav out.wav …`: one reply, written as a WAV, with the timing line (or one
 * JSON object with --json). Returns the exit code: 0 done, 2 bad arguments or input, 1 provider failure.
 */
export async function runRespondCli(argv: readonly string[], env: RespondCliEnv): Promise<number> {
  let args: RespondCliArgs;
  try {
    args = parseRespondArgs(argv);
  } catch (err) {
    env.err((err as Error).message);
    return 2;
  }
  try {
    const wav = await readInput(args.input);
    const history = args.historyFile ? await loadHistoryFile(args.historyFile) : [];
    const tenants = env.tenantsFile ? await loadTenantsFile(env.tenantsFile) : [];
    const { config, log } = env;
    const llm = createLlmChainFromConfig(llmChainSpec(config), {
      firstTokenDeadlineMs: config.LLM_FIRST_TOKEN_DEADLINE_MS,
      tokenGapDeadlineMs: config.LLM_TOKEN_GAP_DEADLINE_MS,
      log,
    });
    const deps = respondDepsFromConfig(config, log, { llm, tenants: tenantLookupFromList(tenants) });
    const result = await respond(
      {
        wav,
        history,
        ...(args.tenant ? { tenant: args.tenant } : {}),
        ...(args.language ? { language: args.language } : {}),
      },
      deps,
    );
    await writeFile(args.output, result.wav);
    report(args, result, env);
    return 0;
  } catch (err) {
    if (err instanceof WavFormatError) env.err(`${args.input}: ${err.message}`);
    else if (err instanceof UsageError || err instanceof UnknownTenantError) env.err(err.message);
    else env.err(`respond failed: ${(err as Error).message}`);
    return err instanceof WavFormatError || err instanceof UnknownTenantError || err instanceof UsageError
      ? 2
      : 1;
  }
}

async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new UsageError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

function report(args: RespondCliArgs, r: RespondResult, env: RespondCliEnv): void {
  if (args.json) {
    const { wav: _wav, ...rest } = r;
    env.out(JSON.stringify({ input: args.input, output: args.output, ...rest }));
    return;
  }
  env.out(`heard: ${r.transcript ? `"${r.transcript}"` : '(nothing)'}`);
  env.out(`reply: "${r.reply}"  [tenant ${r.tenantId}, ${r.language}, step ${r.step}]`);
  env.out(`wrote ${args.output}: ${r.sampleRate} Hz mono, ${(r.audioMs / 1000).toFixed(2)} s`);
  env.out(timingLine(r.timings));
  env.out(streamingLine(r));
}

import { z } from 'zod';
import { isCanonicalUuid, uuidKey } from './uuid.js';

/** 22 fixed keys plus at most ~127 arguments (docs/protocols/agi.md §2, §3.1); more is not Asterisk. */
export const AGI_MAX_ENV_LINES = 160;

const KEY = /^agi_[a-z0-9_]+$/;

export class AgiEnvironmentError extends Error {
  override name = 'AgiEnvironmentError';
}

/**
 * One `key: value` line of the environment block. Asterisk writes `%s: %s\n`, so an empty value
 * arrives as "agi_accountcode: " with a trailing space; both that and a bare "key:" are accepted.
 */
export function parseEnvironmentLine(line: string): [key: string, value: string] {
  const colon = line.indexOf(':');
  const key = colon === -1 ? '' : line.slice(0, colon);
  if (!KEY.test(key)) {
    throw new AgiEnvironmentError(`not an AGI environment line: ${JSON.stringify(line.slice(0, 60))}`);
  }
  return [key, line.slice(colon + 1).trim()];
}

const value = (max: number) => z.string().max(max);

/** The keys every Asterisk `setup_env()` writes; the rest are optional to tolerate older versions. */
const environmentSchema = z.object({
  agi_channel: value(256).min(1),
  agi_uniqueid: value(64).min(1),
  agi_callerid: value(64).optional(),
  agi_dnid: value(64).optional(),
  agi_extension: value(80).optional(),
});

export type AgiEnvironment = z.infer<typeof environmentSchema> & {
  /** agi_arg_1 … agi_arg_N in order. */
  args: string[];
  all: Record<string, string>;
};

/** Validates the collected block (keys already checked line by line). */
export function toAgiEnvironment(vars: Map<string, string>): AgiEnvironment {
  const all = Object.fromEntries(vars);
  const parsed = environmentSchema.safeParse(all);
  if (!parsed.success) {
    const keys = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new AgiEnvironmentError(`AGI environment missing or invalid: ${keys}`);
  }
  const args: string[] = [];
  for (let i = 1; vars.has(`agi_arg_${i}`); i++) args.push(vars.get(`agi_arg_${i}`) ?? '');
  return { ...parsed.data, args, all };
}

/** Asterisk's signed-linear format names and their rates (the AudioSocket audio kinds, 0x10-0x18). */
const SLIN_RATES: Readonly<Record<string, number>> = {
  slin: 8000,
  slin12: 12000,
  slin16: 16000,
  slin24: 24000,
  slin32: 32000,
  slin44: 44100,
  slin48: 48000,
  slin96: 96000,
  slin192: 192000,
};

const FORMAT_ARG = /^format=(.*)$/;

/**
 * The audio format the dialplan declared with a `format=slin16` argument (the codec it gives
 * `Dial(AudioSocket/…/c(slin16))`), so the AudioSocket side need not wait for the first frame.
 * Returns the remaining positional arguments too. An unknown format is an error, not a guess.
 */
export function declaredFormat(args: readonly string[]): { sampleRate?: number; rest: string[] } {
  let sampleRate: number | undefined;
  const rest: string[] = [];
  for (const arg of args) {
    const m = FORMAT_ARG.exec(arg);
    if (!m) {
      rest.push(arg);
      continue;
    }
    const rate = SLIN_RATES[(m[1] ?? '').trim().toLowerCase()];
    if (rate === undefined) {
      throw new AgiEnvironmentError(
        `${JSON.stringify(arg.slice(0, 40))}: format must be one of ${Object.keys(SLIN_RATES).join(', ')}`,
      );
    }
    sampleRate = rate;
  }
  return { rest, ...(sampleRate !== undefined ? { sampleRate } : {}) };
}

/** What the call is, as far as the AGI session can tell. */
export interface AgiCallFacts {
  /** 5.2: the dialplan made the UUID and passed it first; 5.1: the server must make one. */
  pattern: '5.1' | '5.2';
  uuid?: string;
  /** Dialled number ('' if none of the candidates looks like one; the default tenant answers). */
  did: string;
  /** Caller number ('' when withheld). */
  callerId: string;
  /** Audio rate the dialplan declared (`format=slin16`), if it did. */
  sampleRate?: number;
}

/** Digits with an optional "+", or the '*'/'#' a PBX extension may carry. Not "s", not "unknown". */
const PHONE_LIKE = /^\+?[0-9*#]{1,32}$/;

function firstPhoneLike(...candidates: Array<string | undefined>): string {
  for (const c of candidates) {
    const v = c?.replace(/[\s()-]/g, '');
    if (v && PHONE_LIKE.test(v)) return v;
  }
  return '';
}

/**
 * DID and caller from the arguments first (the dialplan passes ${EXTEN} and ${CALLERID(num)} explicitly,
 * which avoids trunks that rewrite EXTEN), then from agi_extension / agi_dnid and agi_callerid.
 */
export function callFactsFromEnvironment(env: AgiEnvironment): AgiCallFacts {
  const declared = declaredFormat(env.args);
  const args = declared.rest;
  const format = declared.sampleRate !== undefined ? { sampleRate: declared.sampleRate } : {};
  const [first, ...rest] = args;
  if (first !== undefined && isCanonicalUuid(first)) {
    return {
      pattern: '5.2',
      uuid: uuidKey(first),
      did: firstPhoneLike(rest[0], env.agi_extension, env.agi_dnid),
      callerId: firstPhoneLike(rest[1], env.agi_callerid),
      ...format,
    };
  }
  return {
    pattern: '5.1',
    did: firstPhoneLike(first, env.agi_extension, env.agi_dnid),
    callerId: firstPhoneLike(args[1], env.agi_callerid),
    ...format,
  };
}

import { z } from 'zod';
import { envFlag } from '../src/env-flag.js';

/**
 * Simulator knobs: a value set on the instance wins, then the environment variable, then the default.
 * Tests set knobs explicitly so a stray SIM_* variable in the shell cannot change their outcome;
 * `npm run sim` and the demo leave them unset so the environment can tune a running simulator.
 * The default's type decides which zod schema reads the environment string; a malformed value
 * throws at startup naming the variable, rather than silently running with a different behaviour.
 * A knob can also carry a zod `check` for its range or its allowed words.
 */
export type KnobEnv = Readonly<Record<string, string | undefined>>;

/** A count or duration that may be Infinity ("never", for fault knobs); z.number() refuses Infinity. */
export const nonNegativeOrNever = z.union([z.number().min(0), z.literal(Infinity)]);

const fromEnv = {
  number: z
    .string()
    .refine((s) => s !== '' && !Number.isNaN(Number(s)), 'is not a number')
    .transform(Number),
  boolean: envFlag,
  string: z.string(),
};

export function knob<T extends string>(
  value: T | undefined,
  envName: string,
  fallback: T,
  env: KnobEnv | undefined,
  check: z.ZodType<T>,
): T;
export function knob(
  value: number | undefined,
  envName: string,
  fallback: number,
  env?: KnobEnv,
  check?: z.ZodType<number>,
): number;
export function knob(value: string | undefined, envName: string, fallback: string, env?: KnobEnv): string;
export function knob(value: boolean | undefined, envName: string, fallback: boolean, env?: KnobEnv): boolean;
/**
 * One knob. `check`, when given, validates the resolved value (set, from the environment, or the
 * default), so a bad value fails at startup with the variable's name in the message.
 */
export function knob(
  value: number | string | boolean | undefined,
  envName: string,
  fallback: number | string | boolean,
  env: KnobEnv = process.env,
  check?: z.ZodType,
): number | string | boolean {
  const resolved = resolve(value, envName, fallback, env);
  if (!check) return resolved;
  const result = check.safeParse(resolved);
  if (!result.success) throw new Error(`${envName}=${JSON.stringify(resolved)}: ${messages(result.error)}`);
  return result.data as number | string | boolean;
}

function resolve(
  value: number | string | boolean | undefined,
  envName: string,
  fallback: number | string | boolean,
  env: KnobEnv,
): number | string | boolean {
  if (value !== undefined) return value;
  const raw = env[envName]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const parsed = fromEnv[typeof fallback as 'number' | 'string' | 'boolean'].safeParse(raw);
  if (!parsed.success) throw new Error(`${envName}=${JSON.stringify(raw)}: ${messages(parsed.error)}`);
  return parsed.data;
}

const messages = (error: z.ZodError) => error.issues.map((i) => i.message).join('; ');

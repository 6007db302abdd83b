/**
 * Simulator knobs: a value set on the instance wins, then the environment variable, then the default.
 * Tests set knobs explicitly so a stray SIM_* variable in the shell cannot change their outcome;
 * `npm run sim` and the demo leave them unset so the environment can tune a running simulator.
 * The default's type decides how the environment string is read; a malformed value throws at
 * startup naming the variable, rather than silently running with a different behaviour.
 */
export type KnobEnv = Readonly<Record<string, string | undefined>>;

export function knob(value: number | undefined, envName: string, fallback: number, env?: KnobEnv): number;
export function knob(value: string | undefined, envName: string, fallback: string, env?: KnobEnv): string;
export function knob(value: boolean | undefined, envName: string, fallback: boolean, env?: KnobEnv): boolean;
export function knob<T extends number | string | boolean>(
  value: T | undefined,
  envName: string,
  fallback: T,
  env: KnobEnv = process.env,
): number | string | boolean {
  if (value !== undefined) return value;
  const raw = env[envName]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (typeof fallback === 'number') {
    const n = Number(raw);
    if (Number.isNaN(n)) throw new Error(`${envName}=${JSON.stringify(raw)} is not a number`);
    return n;
  }
  if (typeof fallback === 'boolean') {
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error(`${envName}=${JSON.stringify(raw)} is not a boolean (1/0, true/false, yes/no, on/off)`);
  }
  return raw;
}

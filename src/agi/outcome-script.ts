import type { Logger } from '../log.js';
import { maskPhone } from '../log.js';
import type { AgiEnvironment } from './agi-environment.js';
import type { CallOutcomeRegistry } from './call-outcome-registry.js';
import { isCanonicalUuid, uuidKey } from './uuid.js';

/** The FastAGI script name the dialplan asks after the AudioSocket leg: `agi://host:port/outcome`. */
export const OUTCOME_SCRIPT = 'outcome';

/** Channel variables the outcome script sets. */
export const VA_OUTCOME = 'VA_OUTCOME';
export const VA_TRANSFER_TO = 'VA_TRANSFER_TO';

/** What VA_OUTCOME says when the call is not known here (never connected, expired, bad UUID). */
export const UNKNOWN_OUTCOME = 'unknown';

/**
 * How long the request waits for an outcome not yet recorded. The agent records it just before it
 * hangs up, so this covers only a request racing that hang-up; it stays well under the session bound.
 */
export const OUTCOME_WAIT_MS = 2000;

/** `agi_network_script` (what follows host:port/ in the AGI URL), without any leading slash. */
export function agiScriptName(env: AgiEnvironment): string {
  return (env.all.agi_network_script ?? '').replace(/^\/+/, '');
}

/**
 * The variables to set for `AGI(agi://…/outcome,${VA_UUID})`: always both, so the dialplan can test
 * them without caring whether they were set (VA_TRANSFER_TO is empty unless the call was transferred
 * and the tenant has a number).
 */
export async function outcomeVariables(
  env: AgiEnvironment,
  outcomes: CallOutcomeRegistry,
  log: Logger,
): Promise<Array<[name: string, value: string]>> {
  const uuid = env.args[0] ?? '';
  if (!isCanonicalUuid(uuid)) {
    log.warn({ arg: uuid.slice(0, 40) }, 'outcome asked without a valid UUID');
    return [
      [VA_OUTCOME, UNKNOWN_OUTCOME],
      [VA_TRANSFER_TO, ''],
    ];
  }
  const found = await outcomes.take(uuid, OUTCOME_WAIT_MS);
  const outcome = found?.outcome ?? UNKNOWN_OUTCOME;
  const transferTo = outcome === 'transferred' ? (found?.transferTo ?? '') : '';
  log.info(
    { uuid: uuidKey(uuid), outcome, transferToMasked: transferTo ? maskPhone(transferTo) : undefined },
    'call outcome handed to the dialplan',
  );
  return [
    [VA_OUTCOME, outcome],
    [VA_TRANSFER_TO, transferTo],
  ];
}

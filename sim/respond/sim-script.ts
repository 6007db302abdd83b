import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CallerLine, clipName, loadCallerScript, SCRIPT_DIR } from '../caller/script.js';

/**
 * What the STT simulator should "hear" in a one-shot recording. The simulator finds the speech by
 * energy and returns the script's lines in order, like a scripted caller; here the script is the
 * fixture line whose clip the recording was made from (same file name), else the booking call's
 * opening line. This is the test rig choosing the caller's words, never a side channel to the sim.
 */
export function simScriptFor(inputName: string): CallerLine[] {
  const dir = fileURLToPath(SCRIPT_DIR);
  const stem = inputName.replace(/\.wav$/i, '');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const line = loadCallerScript(`${dir}/${file}`).find((l) => clipName(l) === `${stem}.s16le`);
    if (line) return [line];
  }
  return loadCallerScript(`${dir}/booking-en.json`).slice(0, 1);
}

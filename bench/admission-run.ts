/**
 * `npm run bench -- --arrivals N --max-calls M [--json]`: the admission bench (bench/admission-bench.ts),
 * started by bench/run.ts when --arrivals is given.
 */
import { admissionUsage, formatAdmission, parseAdmissionArgs, runAdmissionBench } from './admission-bench.js';
import { killAllChildren } from './child-process.js';

export async function runAdmissionMode(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseAdmissionArgs>;
  try {
    parsed = parseAdmissionArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${admissionUsage}`);
    process.exit(2);
  }
  try {
    const result = await runAdmissionBench({ ...parsed.opts, progress: true });
    if (parsed.json) console.log(JSON.stringify(result));
    else console.log(formatAdmission(result));
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    killAllChildren();
    process.exit(1);
  }
}

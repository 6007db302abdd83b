import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { HistoryEntry } from '../../machines/call.types.js';

const turn = z.object({
  role: z.enum(['caller', 'agent']),
  text: z.string().trim().min(1).max(2000),
});

/** Earlier turns, oldest first: `[{"role":"agent","text":"..."},{"role":"caller","text":"..."}]`. */
const historySchema = z.array(turn).max(50);

/** Reads and validates a `--history` file; throws with the file name and the first problem. */
export async function loadHistoryFile(path: string): Promise<HistoryEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  const parsed = historySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: not a history file: [${issue?.path.join('.')}] ${issue?.message}`);
  }
  return parsed.data;
}

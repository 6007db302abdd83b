import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { tenantSchema } from './tenant-schema.js';
import type { CallStore, Tenant } from './types.js';

/** The sample companies shipped at the repository root (used by the demo and the simulators). */
export const DEMO_TENANTS_FILE = fileURLToPath(new URL('../../tenants.example.json', import.meta.url));

const tenantsFileSchema = z.array(tenantSchema).min(1);

/**
 * A tenants file that does not validate. It is a configuration error: `npm start` exits with
 * status 2 (which the systemd unit does not restart), naming the file, the entry and its line.
 */
export class TenantsFileError extends ConfigError {
  override name = 'TenantsFileError';
}

/** Reads and validates a tenants JSON file (an array of tenants). Throws with every problem listed. */
export async function loadTenantsFile(path: string): Promise<Tenant[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TenantsFileError(
      `${path}: cannot read the tenants file (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at ? ` at line ${lineOf(text, Number(at[1]))}` : '';
    throw new TenantsFileError(`${path}: not valid JSON${where} (${message})`);
  }
  const parsed = tenantsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const [index, ...field] = i.path;
      if (typeof index !== 'number') return `  ${i.message}`;
      const line = lineOf(text, entryOffset(text, index));
      return `  line ${line}, entry ${index + 1}${field.length ? ` field ${field.join('.')}` : ''}: ${i.message}`;
    });
    throw new TenantsFileError(`${path}: invalid tenants file:\n${issues.join('\n')}`);
  }
  return parsed.data;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Where the `index`th element of the top-level JSON array starts (the text already parsed). */
function entryOffset(text: string, index: number): number {
  let depth = 0;
  let inString = false;
  let expecting = false; // at depth 1, right after "[" or ","
  let seen = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (expecting && !/\s/.test(c)) {
      expecting = false;
      if (++seen === index) return i;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expecting = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return 0;
}

/** Upserts every tenant in the file; returns how many were written. */
export async function seedTenantsFromFile(store: CallStore, path: string): Promise<number> {
  const tenants = await loadTenantsFile(path);
  for (const t of tenants) await store.upsertTenant(t);
  return tenants.length;
}

export function seedDemoTenants(store: CallStore): Promise<number> {
  return seedTenantsFromFile(store, DEMO_TENANTS_FILE);
}

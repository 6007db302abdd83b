import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { tenantSchema } from './tenant-schema.js';
import type { CallStore, Tenant } from './types.js';

/** The sample companies shipped at the repository root (used by the demo and the simulators). */
export const DEMO_TENANTS_FILE = fileURLToPath(new URL('../../tenants.example.json', import.meta.url));

const tenantsFileSchema = z.array(tenantSchema).min(1);

/** Reads and validates a tenants JSON file (an array of tenants). Throws with every problem listed. */
export async function loadTenantsFile(path: string): Promise<Tenant[]> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = tenantsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  [${i.path.join('.')}] ${i.message}`).join('\n');
    throw new Error(`${path}: invalid tenants file:\n${issues}`);
  }
  return parsed.data;
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

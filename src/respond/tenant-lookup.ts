import { DEFAULT_TENANT } from '../store/default-tenant.js';
import type { CallStore, Tenant } from '../store/types.js';

/** Finds the tenant a one-shot reply speaks for; undefined means the default tenant. */
export type TenantLookup = (key: string | undefined) => Promise<Tenant>;

export class UnknownTenantError extends Error {
  override name = 'UnknownTenantError';
}

/** From a tenants list (the tenants file): by id or by dialled number. */
export function tenantLookupFromList(tenants: readonly Tenant[]): TenantLookup {
  return async (key) => {
    if (key === undefined) return tenants.find((t) => t.number === '*') ?? DEFAULT_TENANT;
    const found = tenants.find((t) => t.id === key || t.number === key);
    if (!found) {
      const hint = tenants.length ? 'give its id or dialled number' : 'no tenants file: set TENANTS_FILE';
      throw new UnknownTenantError(`unknown tenant "${key}" (${hint})`);
    }
    return found;
  };
}

/** From the running server's store: by dialled number, as a call would be (unknown → default tenant). */
export function tenantLookupFromStore(store: CallStore): TenantLookup {
  return (key) => store.tenantForNumber(key ?? '*');
}

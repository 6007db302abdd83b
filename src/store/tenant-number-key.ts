import { DEFAULT_TENANT_NUMBER } from './default-tenant.js';
import { normaliseNumber } from './phone-number.js';
import type { Tenant } from './types.js';

/** The key a tenant is stored under (tenants.number_key): its normalised number, or '*' for the default. */
export function tenantNumberKey(tenant: Tenant): string {
  const key =
    tenant.number === DEFAULT_TENANT_NUMBER ? DEFAULT_TENANT_NUMBER : normaliseNumber(tenant.number);
  if (!key) throw new Error(`tenant ${tenant.id}: number has no digits`);
  return key;
}

/** The key to look a dialled number up by; a number with no digits finds the default tenant. */
export function dialledNumberKey(dialled: string): string {
  return normaliseNumber(dialled) || DEFAULT_TENANT_NUMBER;
}

import { z } from 'zod';
import type { Tenant } from './types.js';

const text = (max: number) => z.string().trim().min(1).max(max);

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A tenant as it may be written by hand (tenants JSON) or by an admin call. Optional fields get the
 * defaults a UK trade business would want; empty voice ids mean "the configured default voice".
 */
export const tenantSchema = z.object({
  id: text(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  number: text(32).regex(/^(\*|\+?[\d\s()-]+)$/, 'a phone number or "*"'),
  companyName: text(120),
  trade: text(80),
  tradeLabel: text(80),
  calloutFee: z.number().int().min(0).max(10_000),
  area: text(120),
  timeZone: z.string().refine(isIanaZone, 'an IANA time zone').default('Europe/London'),
  language: z.enum(['en', 'es']).default('en'),
  voiceIds: z.object({ en: z.string().max(64), es: z.string().max(64) }).default({ en: '', es: '' }),
  tier: z.enum(['free', 'pro', 'enterprise']).default('pro'),
  /** Digits with an optional "+": it goes into a dialplan `Dial`, so nothing else is allowed. */
  transferNumber: z
    .string()
    .regex(/^\+?[0-9]{3,20}$/, 'a phone number: digits with an optional leading "+"')
    .optional(),
});

export function parseTenant(input: unknown): Tenant {
  return tenantSchema.parse(input);
}

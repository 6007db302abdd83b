import type { Tenant } from './types.js';

/** The number key of the tenant used when a dialled number matches no company. */
export const DEFAULT_TENANT_NUMBER = '*';

/**
 * Who answers when the dialled number is unknown (facts from the seed's context-API fallback).
 * Empty voice ids mean "use the configured default voice" (CARTESIA_VOICE_EN / _ES), so changing the
 * environment changes the default tenant without a database edit.
 */
export const DEFAULT_TENANT: Tenant = {
  id: 'default',
  number: DEFAULT_TENANT_NUMBER,
  companyName: 'Home Services',
  trade: 'general maintenance',
  tradeLabel: 'engineer',
  calloutFee: 49,
  area: 'your area',
  timeZone: 'Europe/London',
  language: 'en',
  voiceIds: { en: '', es: '' },
  tier: 'pro',
};

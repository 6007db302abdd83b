import type { Language } from '../../machines/call.types.js';
import { parseNumber } from '../store/phone-number.js';

/**
 * Country calling codes whose callers are greeted in Spanish. Spain and Spanish-speaking Latin America
 * (+52 Mexico is the seed's example). NANP (+1) is left out: it covers Puerto Rico and the Dominican
 * Republic but is overwhelmingly English, and the seed maps +1 to English.
 */
const SPANISH_CODES: ReadonlySet<string> = new Set([
  '34', // Spain
  '51', // Peru
  '52', // Mexico
  '53', // Cuba
  '54', // Argentina
  '56', // Chile
  '57', // Colombia
  '58', // Venezuela
  '240', // Equatorial Guinea
  '502', // Guatemala
  '503', // El Salvador
  '504', // Honduras
  '505', // Nicaragua
  '506', // Costa Rica
  '507', // Panama
  '591', // Bolivia
  '593', // Ecuador
  '595', // Paraguay
  '598', // Uruguay
]);

/** English-speaking codes that override a Spanish tenant default (seed: +1 -> en; UK and Ireland too). */
const ENGLISH_CODES: ReadonlySet<string> = new Set(['1', '44', '353', '61', '64']);

/**
 * Language to greet a caller in. Only an international number ("+CC…" or "00CC…") says where the
 * caller is from: a national-format number is a local caller and gets the tenant's language, as does a
 * withheld or unparseable one.
 */
export function languageForCaller(number: string, tenantDefault: Language): Language {
  const { callingCode } = parseNumber(number);
  if (callingCode === undefined) return tenantDefault;
  if (SPANISH_CODES.has(callingCode)) return 'es';
  if (ENGLISH_CODES.has(callingCode)) return 'en';
  return tenantDefault;
}

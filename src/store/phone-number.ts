import { createHmac } from 'node:crypto';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * The one phone-number parser: normalising (tenant lookup, caller hash), the caller's country
 * calling code (language) and masking (logs) all read numbers through `parseNumber`, which leans on
 * libphonenumber-js for the international plan.
 */
export interface ParsedNumber {
  /** Digits only ('' when the value has none: "anonymous", "unknown"). */
  digits: string;
  /** True for "+CC…", "00CC…" and a bare UK "44…" of 12–13 digits (trunks often drop the "+"). */
  international: boolean;
  /** The ITU country calling code ("1", "44", "353") of an international number, if it has one. */
  callingCode?: string;
  /** Digits after the calling code, without a national trunk prefix, when libphonenumber parsed it. */
  nationalNumber?: string;
}

/** Every country calling code libphonenumber knows; ITU codes are prefix-free, so one can match. */
const CALLING_CODES: ReadonlySet<string> = new Set(getCountries().map((c) => getCountryCallingCode(c)));

function callingCodeOf(digits: string): string | undefined {
  for (let len = 1; len <= 3; len++) {
    const prefix = digits.slice(0, len);
    if (CALLING_CODES.has(prefix)) return prefix;
  }
  return undefined;
}

export function parseNumber(raw: string): ParsedNumber {
  const trimmed = raw.trim();
  let digits = trimmed.replace(/\D/g, '');
  let international = trimmed.startsWith('+');
  if (!international && digits.startsWith('00') && digits.length > 4) {
    digits = digits.slice(2);
    international = true;
  }
  // A national UK number always starts with 0, never 44: a bare 44… is a UK number without its "+".
  if (!international && digits.startsWith('44') && digits.length >= 12 && digits.length <= 13) {
    international = true;
  }
  if (!international || digits === '') return { digits, international: false };
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (parsed) {
    return {
      digits,
      international,
      callingCode: parsed.countryCallingCode,
      nationalNumber: parsed.nationalNumber,
    };
  }
  const callingCode = callingCodeOf(digits);
  return { digits, international, ...(callingCode ? { callingCode } : {}) };
}

/**
 * One canonical form for a phone number, so a tenant stored as "020 1234 5678" matches a trunk that
 * delivers "+442012345678", "00442012345678" or "442012345678".
 *  - UK numbers become national format: "+44…" -> "0…".
 *  - Other international numbers become E.164: "+34 600 123 456" -> "+34600123456".
 *  - Anything else (national numbers, short codes) is its digits.
 * Returns '' when there are no digits at all ("unknown", "anonymous"). Idempotent.
 */
export function normaliseNumber(raw: string): string {
  const n = parseNumber(raw);
  if (n.digits === '') return '';
  if (!n.international) return n.digits;
  if (n.callingCode === '44') return `0${n.nationalNumber ?? n.digits.slice(2)}`;
  if (n.callingCode && n.nationalNumber) return `+${n.callingCode}${n.nationalNumber}`;
  return `+${n.digits}`;
}

/**
 * Repeat-caller key: HMAC-SHA-256 (hex) of the normalised number under `key` (CALLER_HASH_KEY).
 * Keyed, because a phone number has so few possible values that a plain hash is reversed by trying
 * them all in about a second. Withheld numbers hash to '' so they never match each other.
 */
export function hashCaller(number: string, key: string | Buffer): string {
  if (key.length === 0) throw new Error('hashCaller needs a key (CALLER_HASH_KEY)');
  const normalised = normaliseNumber(number);
  if (!normalised) return '';
  return createHmac('sha256', key).update(normalised).digest('hex');
}

/**
 * For logs and stored rows: the country calling code (any length) and the last three digits, so
 * callers can be told apart but not dialled. Short values are starred out completely.
 */
export function maskNumber(raw: string): string {
  const n = parseNumber(raw);
  if (n.digits.length < 5) return raw.length ? '***' : raw;
  const cc = n.international ? (n.callingCode ?? '') : '';
  const rest = n.digits.length - cc.length - 3;
  return `${n.international ? '+' : ''}${cc}${'*'.repeat(Math.max(3, rest))}${n.digits.slice(-3)}`;
}

/**
 * The number to ring a caller back on: "+CC…" for an international number, else its digits as
 * delivered; undefined when there is none to ring (withheld, "anonymous", too short or long).
 */
export function callbackNumber(raw: string): string | undefined {
  const n = parseNumber(raw);
  if (n.digits.length < 3 || n.digits.length > 20) return undefined;
  return n.international ? `+${n.digits}` : n.digits;
}

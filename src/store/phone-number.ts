import { createHash } from 'node:crypto';

/**
 * One canonical form for a phone number, so a tenant stored as "020 1234 5678" matches a trunk that
 * delivers "+442012345678", "00442012345678" or "442012345678".
 *
 * Rules, in order:
 *  1. Keep digits only, remembering whether the number began with "+" (or the "00" international prefix).
 *  2. UK numbers become national format: "+44…" -> "0…". A bare "44…" of 12–13 digits is also taken as
 *     UK because a national UK number always starts with 0, never 44 (trunks often drop the "+").
 *  3. Other international numbers keep their "+": "+34 600 123 456" -> "+34600123456".
 *  4. Anything else (national numbers, short codes) is its digits.
 * Returns '' when there are no digits at all ("unknown", "anonymous").
 */
export function normaliseNumber(raw: string): string {
  const trimmed = raw.trim();
  let digits = trimmed.replace(/\D/g, '');
  let international = trimmed.startsWith('+');
  if (!international && digits.startsWith('00') && digits.length > 4) {
    digits = digits.slice(2);
    international = true;
  }
  if (digits.length === 0) return '';
  const ukBare = !international && digits.startsWith('44') && digits.length >= 12 && digits.length <= 13;
  if ((international || ukBare) && digits.startsWith('44')) return `0${digits.slice(2)}`;
  return international ? `+${digits}` : digits;
}

/**
 * A stable, non-reversible-at-a-glance key for repeat-caller detection: sha256 (hex) of the normalised
 * number. Numbers without digits (withheld caller ID) hash to '' so they never match each other.
 */
export function hashCaller(number: string): string {
  const normalised = normaliseNumber(number);
  if (!normalised) return '';
  return createHash('sha256').update(normalised).digest('hex');
}

import { parseUkPostcode } from './postcode.js';

/** What the booking needs; filled one step at a time (or several at once). */
export interface Slots {
  problem?: string;
  agreed?: boolean;
  postcode?: string; // normalised
  address?: string;
  name?: string;
  /** A number the caller asked to be rung back on, digits with an optional leading +. */
  callback?: string;
}

export type SlotIssue = 'invalid_postcode' | 'invalid_address' | 'invalid_name' | 'invalid_problem';

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

export function cleanProblem(raw: string): string | undefined {
  const s = collapse(raw);
  return s.length >= 3 && s.length <= 300 && /\p{L}/u.test(s) ? s : undefined;
}

/** A street address: a few words, at least one letter, no control characters or markup. */
export function cleanAddress(raw: string): string | undefined {
  const s = collapse(raw).replace(/[.]+$/, '');
  if (s.length < 3 || s.length > 120) return undefined;
  if (!/\p{L}{2,}/u.test(s) || /[<>{}\\[\]]/.test(s)) return undefined;
  return s;
}

/** A person's name: 1-5 words of letters, hyphens, apostrophes and dots; no digits. */
export function cleanName(raw: string): string | undefined {
  const s = collapse(raw).replace(/[.,!?]+$/, '');
  if (s.length < 2 || s.length > 60) return undefined;
  const words = s.split(' ');
  if (words.length > 5) return undefined;
  return words.every((w) => /^[\p{L}][\p{L}'.-]*$/u.test(w)) ? s : undefined;
}

/** A phone number as said: 7-15 digits once spaces, dashes, dots and brackets are gone; + only first. */
export function cleanCallback(raw: string): string | undefined {
  const s = raw.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{7,15}$/.test(s) ? s : undefined;
}

/**
 * Validates what the caller is said to have given (by the model or a local parser): every field is
 * checked again before it is recorded. Returns the slots that passed and the issues found.
 */
export function validateDetails(claim: Slots): { accepted: Slots; issues: SlotIssue[] } {
  const accepted: Slots = {};
  const issues: SlotIssue[] = [];
  if (claim.problem !== undefined) {
    const p = cleanProblem(claim.problem);
    if (p) accepted.problem = p;
    else issues.push('invalid_problem');
  }
  if (typeof claim.agreed === 'boolean') accepted.agreed = claim.agreed;
  if (claim.postcode !== undefined) {
    const pc = parseUkPostcode(claim.postcode);
    if (pc) accepted.postcode = pc;
    else issues.push('invalid_postcode');
  }
  if (claim.address !== undefined) {
    const a = cleanAddress(claim.address);
    if (a) accepted.address = a;
    else issues.push('invalid_address');
  }
  if (claim.name !== undefined) {
    const n = cleanName(claim.name);
    if (n) accepted.name = n;
    else issues.push('invalid_name');
  }
  // A callback number the model heard wrong is dropped quietly: the caller's own number stands.
  if (claim.callback !== undefined) {
    const c = cleanCallback(claim.callback);
    if (c) accepted.callback = c;
  }
  return { accepted, issues };
}

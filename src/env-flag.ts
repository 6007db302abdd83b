import { z } from 'zod';

/** The one list of spellings for an on/off environment variable (config and simulator knobs). */
export const FLAG_TRUE = ['1', 'true', 'yes', 'on'] as const;
export const FLAG_FALSE = ['0', 'false', 'no', 'off'] as const;

/** An on/off environment string, trimmed and case-insensitive, as a boolean; anything else fails. */
export const envFlag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z.enum([...FLAG_TRUE, ...FLAG_FALSE], {
      error: `expected one of ${[...FLAG_TRUE, ...FLAG_FALSE].join(', ')}`,
    }),
  )
  .transform((v) => (FLAG_TRUE as readonly string[]).includes(v));

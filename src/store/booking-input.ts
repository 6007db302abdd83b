import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { BookingInput } from './types.js';

/** Crockford base32 without I, L, O, U: nothing a caller can mishear or misread when it is read back. */
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_LENGTH = 6;
export const BOOKING_ID_PATTERN = /^BK-[0-9A-HJKMNP-TV-Z]{6}$/;

/** A fresh booking reference such as "BK-7Q2M9X" (about 10^9 values; the store retries on a clash). */
export function newBookingId(): string {
  let id = 'BK-';
  for (let i = 0; i < ID_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * The edge check for a booking: slots come from LLM tool calls, so lengths are bounded and nothing is
 * empty. Postcode format is the workflow's job (it parses it); here it only has to be plausible text.
 */
export const bookingInputSchema = z.object({
  id: z.string().regex(BOOKING_ID_PATTERN).optional(),
  callId: text(64),
  tenantId: text(64),
  customerName: text(200),
  postcode: text(16),
  address: text(500),
  problem: text(2000),
  callerMasked: z.string().max(40),
  callerHash: z.string().max(64),
  calloutFee: z.number().int().min(0).max(100_000).optional(),
  consent: text(500).optional(),
  callbackNumber: z
    .string()
    .regex(/^\+?[0-9]{3,20}$/)
    .optional(),
  revision: z.number().int().min(0).max(1000).optional(),
});

/** Thrown for input that can never be stored; a retry or a journal entry would not help. */
export class InvalidBookingError extends Error {
  override name = 'InvalidBookingError';
}

export function parseBookingInput(input: unknown): BookingInput {
  const parsed = bookingInputSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidBookingError(`invalid booking: ${fields}`);
  }
  return parsed.data;
}

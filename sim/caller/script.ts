import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A caller script: what a simulated caller says, in order. The STT simulator maps the Nth speech
 * segment it detects in the audio to the Nth line's `text`; the caller plays the line's clip.
 */
const callerLineObject = z.object({
  text: z.string().min(1), // what a perfect recogniser would return
  speak: z.string().optional(), // how it is spoken, when that differs (postcodes)
  lang: z.enum(['en', 'es']).optional(),
  /** Interrupt: start speaking this long after the agent's reply becomes audible. */
  bargeInAfterMs: z.number().int().min(0).optional(),
  /** Extra pause after the agent stops before speaking. */
  pauseMs: z.number().int().min(0).optional(),
});

export type CallerLine = z.output<typeof callerLineObject>;

export const callerLineSchema = z.union([
  z
    .string()
    .min(1)
    .transform((text): CallerLine => ({ text })),
  callerLineObject,
]);
export const callerScriptSchema = z.array(callerLineSchema).min(1);

/** File-safe name of a line's clip; the fixture generator and the caller both use it. */
export function clipName(line: Pick<CallerLine, 'text'>): string {
  const slug = line.text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${slug}.s16le`;
}

export function parseCallerScript(json: unknown): CallerLine[] {
  return callerScriptSchema.parse(json);
}

export function loadCallerScript(path: string): CallerLine[] {
  return parseCallerScript(JSON.parse(readFileSync(path, 'utf8')));
}

/** Directory of committed 8 kHz s16le mono clips (see scripts/make-fixtures.ts). */
export const CLIP_DIR = new URL('../../fixtures/audio/', import.meta.url);
export const SCRIPT_DIR = new URL('../../fixtures/scripts/', import.meta.url);

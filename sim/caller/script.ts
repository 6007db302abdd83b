import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A caller script: what a simulated caller says, in order. The STT simulator maps the Nth speech
 * segment it detects in the audio to the Nth line's `text`; the caller plays the line's clip.
 */
const spokenText = z.object({
  text: z.string().min(1), // what a perfect recogniser would return
  speak: z.string().optional(), // how it is spoken, when that differs (postcodes)
});

/** A piece of a sentence said in one breath; a line with parts pauses between them. */
const linePart = z.union([
  z
    .string()
    .min(1)
    .transform((text) => ({ text })),
  spokenText,
]);
export type LinePart = z.output<typeof linePart>;

const callerLineObject = spokenText
  .extend({
    lang: z.enum(['en', 'es']).optional(),
    /** Interrupt: start speaking this long after the agent's reply becomes audible. */
    bargeInAfterMs: z.number().int().min(0).optional(),
    /** Extra pause after the agent stops before speaking. */
    pauseMs: z.number().int().min(0).optional(),
    /**
     * A sentence said in pieces with a pause in the middle ("It's, um," … "NN15 6QP."). The caller
     * plays each part's clip with `midPauseMs` of silence between them; the STT simulator hears each
     * part as one speech segment. Joined with spaces, the parts are the line's `text`.
     */
    parts: z.array(linePart).min(2).max(6).optional(),
    /** Silence between the parts, from the end of one part's voice to the start of the next. */
    midPauseMs: z.number().int().min(0).max(5000).optional(),
  })
  .refine((l) => (l.parts === undefined) === (l.midPauseMs === undefined), {
    message: 'parts and midPauseMs go together',
  })
  .refine((l) => l.parts === undefined || l.parts.map((p) => p.text).join(' ') === l.text, {
    message: 'the parts, joined with spaces, must be the line text',
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

/**
 * What a recogniser hears, in order: one entry per speech segment, so a line with parts gives one
 * entry per part (with the line's language). The STT simulator maps its Nth segment to entry N.
 */
export function recognitionUnits(script: readonly CallerLine[]): CallerLine[] {
  return script.flatMap((line) =>
    line.parts ? line.parts.map((part) => ({ ...part, ...(line.lang ? { lang: line.lang } : {}) })) : [line],
  );
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

/** Text helpers shared by the brain's detectors: one normal form for matching. */

/** Lower case, no accents, straight apostrophes, single spaces: "¿Sí, vale?" → "¿si, vale?". */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`]/g, "'")
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words of a normalised text, apostrophes kept ("can't", "it's"). */
export function words(normalised: string): string[] {
  return normalised.match(/[a-z0-9']+/g) ?? [];
}

/** Trims spaces and the punctuation a transcript wraps around a value ("NN15 6QP." → "NN15 6QP"). */
export function trimValue(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/^[\s,.;:!?¡¿"'-]+|[\s,.;:!?¡¿"'-]+$/g, '')
    .trim();
}

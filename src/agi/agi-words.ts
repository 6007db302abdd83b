/** `MAX_ARGS` is 128 in res_agi.c and one slot holds the terminator (docs/protocols/agi.md §3.1). */
export const AGI_MAX_WORDS = 127;

/**
 * Splits one command line into words exactly as Asterisk's `parse_args()` does: spaces and tabs
 * separate words; a double quote toggles quoting and is removed; a backslash makes the next character
 * literal; `""` is an empty word; words past the 127th are dropped. CR is ordinary data. Not a
 * shell-words package: those follow sh quoting, which is not what `parse_args()` does.
 */
export function parseAgiWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  let escaped = false;
  let betweenWords = true;

  const literal = (ch: string) => {
    if (betweenWords) {
      if (words.length >= AGI_MAX_WORDS) return;
      words.push('');
      betweenWords = false;
    }
    current += ch;
    words[words.length - 1] = current;
    escaped = false;
  };

  for (const ch of line) {
    if (ch === '"' && !escaped) {
      quoted = !quoted;
      if (quoted && betweenWords && words.length < AGI_MAX_WORDS) {
        // An opening quote after whitespace starts a word, which is how `""` becomes an empty word.
        words.push('');
        betweenWords = false;
      }
    } else if ((ch === ' ' || ch === '\t') && !quoted && !escaped) {
      betweenWords = true;
      current = '';
    } else if (ch === '\\' && !escaped) {
      escaped = true;
    } else {
      literal(ch);
    }
  }
  return words;
}

export class UnsafeAgiWordError extends Error {
  override name = 'UnsafeAgiWordError';
}

/**
 * Builds one command line (without the LF) that `parseAgiWords` turns back into `words`. Words that need
 * it are quoted, with `"` and `\` escaped. CR and LF cannot be carried by AGI at all (the LF would end
 * the command, a CR would become data), so they are refused rather than silently mangled.
 */
export function formatAgiCommand(words: readonly string[]): string {
  if (words.length === 0 || words.length > AGI_MAX_WORDS) {
    throw new UnsafeAgiWordError(`an AGI command has 1..${AGI_MAX_WORDS} words`);
  }
  return words
    .map((w) => {
      if (/[\r\n]/.test(w)) throw new UnsafeAgiWordError('AGI words cannot contain CR or LF');
      if (w !== '' && !/[\s"\\]/.test(w)) return w;
      return `"${w.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    })
    .join(' ');
}

import { isValid, parse } from 'postcode';

/**
 * UK postcode parsing. The LLM's extraction is never trusted: what it hands over is parsed here and
 * normalised to "OUTWARD INWARD" (e.g. "nn156qp" -> "NN15 6QP"), or rejected.
 * The `postcode` package checks the Royal Mail shape and normalises. Kept by hand: the scan over
 * spoken forms ("en en one five six queue pee" arrives as separate words), which no package does,
 * and two rules the package leaves out: the inward letters never use C, I, K, M, O or V, and the
 * special GIR 0AA.
 */
const INWARD_BAD_LETTERS = /[CIKMOV]/;

const SPOKEN_DIGITS: Record<string, string> = {
  zero: '0',
  oh: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
  thirteen: '13',
  fourteen: '14',
  fifteen: '15',
  sixteen: '16',
  seventeen: '17',
  eighteen: '18',
  nineteen: '19',
  twenty: '20',
};

/** Returns the normalised postcode, or undefined when the text holds no valid one. */
export function parseUkPostcode(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const words = raw
    .toUpperCase()
    .replace(/[^A-Z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => SPOKEN_DIGITS[w.toLowerCase()] ?? w);
  // Try every contiguous run of words: callers wrap postcodes in other words ("it's NN15 6QP thanks").
  for (let start = 0; start < words.length; start++) {
    for (let end = Math.min(words.length, start + 8); end > start; end--) {
      const candidate = words.slice(start, end).join('');
      const hit = normalise(candidate);
      if (hit) return hit;
    }
  }
  return undefined;
}

function normalise(compact: string): string | undefined {
  if (compact === 'GIR0AA') return 'GIR 0AA';
  if (!isValid(compact)) return undefined;
  const { outcode, incode } = parse(compact);
  if (!outcode || !incode || INWARD_BAD_LETTERS.test(incode.slice(1))) return undefined;
  return `${outcode} ${incode}`;
}

const NATO: Record<string, string> = {
  A: 'Alpha',
  B: 'Bravo',
  C: 'Charlie',
  D: 'Delta',
  E: 'Echo',
  F: 'Foxtrot',
  G: 'Golf',
  H: 'Hotel',
  I: 'India',
  J: 'Juliet',
  K: 'Kilo',
  L: 'Lima',
  M: 'Mike',
  N: 'November',
  O: 'Oscar',
  P: 'Papa',
  Q: 'Quebec',
  R: 'Romeo',
  S: 'Sierra',
  T: 'Tango',
  U: 'Uniform',
  V: 'Victor',
  W: 'Whiskey',
  X: 'X-ray',
  Y: 'Yankee',
  Z: 'Zulu',
};

/** "NN15 6QP" -> "N for November, N for November, 1, 5, 6, Q for Quebec, P for Papa": read back to confirm. */
export function spellPostcode(postcode: string): string {
  return [...postcode.replace(/\s/g, '')].map((ch) => (NATO[ch] ? `${ch} for ${NATO[ch]}` : ch)).join(', ');
}

/**
 * Where the first sentence of a streamed reply ends, or -1 while it has not ended yet. A sentence
 * ends at . ! ? or … followed by a space (so "49.50" and "Mr." mid-word do not count) once it is
 * long enough to be worth its own synthesis request.
 */
export function firstSentenceEnd(text: string, minChars = 12): number {
  const re = /[.!?…]+["')\]]*\s/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (end >= minChars) return end;
  }
  return -1;
}

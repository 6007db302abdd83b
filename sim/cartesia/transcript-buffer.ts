/**
 * The text of one context, as it streams in. Inputs are concatenated verbatim (docs/protocols/cartesia-tts.md
 * §2a): the sender owns the spaces, so "book" + "ing" is one word and "book" + " ing" is two. A word is ready
 * to speak once whitespace follows it; the trailing fragment waits for more text, a flush, the final input,
 * or the `max_buffer_delay_ms` hold (§4 item 2).
 */
export class TranscriptBuffer {
  private pending = '';

  append(text: string): void {
    this.pending += text;
  }

  /** True when a trailing fragment (text with no whitespace after it yet) is waiting. */
  get hasFragment(): boolean {
    return /\S$/.test(this.pending);
  }

  /** Removes and returns the words that whitespace has already closed. */
  takeCompleteWords(): string[] {
    const lastSpace = this.pending.search(/\s\S*$/);
    if (lastSpace < 0) return [];
    const complete = this.pending.slice(0, lastSpace);
    this.pending = this.pending.slice(lastSpace).trimStart();
    return splitWords(complete);
  }

  /** Removes and returns everything, the trailing fragment included (flush, final input, hold expiry). */
  takeAll(): string[] {
    const words = splitWords(this.pending);
    this.pending = '';
    return words;
  }

  clear(): void {
    this.pending = '';
  }
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

/**
 * How the simulators cut a reply into streamed pieces. Real models stream sub-word tokens; word
 * pieces with their leading space kept are close enough for timing and for reassembly tests.
 */

/** "Which day suits?" → ["Which", " day", " suits?"]; joining the pieces gives the text back. */
export function splitIntoTokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/**
 * Cuts serialised tool arguments into fixed-size fragments, the way OpenAI-compatible streams and Anthropic's
 * `input_json_delta` may deliver them (docs/protocols/groq-chat.md §3c).
 */
export function splitJsonFragments(json: string, size = 12): string[] {
  const fragments: string[] = [];
  for (let i = 0; i < json.length; i += size) fragments.push(json.slice(i, i + size));
  return fragments.length ? fragments : [''];
}

/** A rough token count (4 characters a token) for the usage fields. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

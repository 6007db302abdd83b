/**
 * Server-Sent Events framing: one block per event, ended by a blank line. Two template strings, so
 * no SSE package; the point is exact control of the framing each vendor's SDK insists on.
 */

/** One piece of a streamed reply; `role` tells the player how to pace it and where faults cut in. */
export interface Frame {
  text: string;
  /**
   * open: sent with the headers (role chunk, message_start); token: one paced content piece;
   * between: structure sent without delay (block start/stop); tail: finish chunk and terminator.
   */
  role: 'open' | 'token' | 'between' | 'tail';
}

/** A data-only block (Groq, Cerebras chunks). */
export function sseData(json: unknown): string {
  return `data: ${JSON.stringify(json)}\n\n`;
}

/** A named block (Anthropic events, in-stream errors). */
export function sseEvent(name: string, json: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(json)}\n\n`;
}

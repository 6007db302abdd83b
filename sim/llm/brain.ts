import { detectLanguageSwitch, detectRequest } from './brain-intents.js';
import { fallbackReply, readAfterLines, readKnown, readPrompt } from './brain-prompt.js';
import { extractSlots, type Slots } from './brain-slots.js';

/**
 * The scripted brain behind the three LLM simulators: a deterministic stand-in for a
 * well-behaved model running callchart's booking workflow. It sees only what a real model would
 * see (the prompt, the conversation, the tools offered) and answers the way the prompt asks.
 */

export interface BrainMessage {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls?: Array<{ name: string; arguments: unknown }>;
  /** For role `tool`: which tool produced this result. */
  toolName?: string;
}

/** A vendor request reduced to what the brain reads; each wire layer builds one. */
export interface BrainRequest {
  system: string;
  messages: BrainMessage[];
  /** Names of the tools offered. */
  tools: string[];
}

export interface BrainToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** Always text or at least one tool call, never both empty. */
export interface BrainReply {
  text?: string;
  toolCalls?: BrainToolCall[];
}

export const RECORD_DETAILS = 'record_details';
export const FLAG_REQUEST = 'flag_request';

export function think(request: BrainRequest): BrainReply {
  const prompt = readPrompt(request.system);
  const say: BrainReply = { text: prompt.suggestedReply ?? fallbackReply(prompt.language) };
  const last = request.messages.at(-1);

  // After a tool result the prompt's suggested reply is exactly what to say next.
  if (last?.role !== 'user') return say;

  const calls: BrainToolCall[] = [];
  const canFlag = request.tools.includes(FLAG_REQUEST);
  const canRecord = request.tools.includes(RECORD_DETAILS);

  const askedFor = canFlag ? detectRequest(last.content) : undefined;
  if (askedFor) calls.push({ name: FLAG_REQUEST, arguments: { kind: askedFor } });
  const switchTo = canFlag ? detectLanguageSwitch(last.content, prompt.language) : undefined;
  if (switchTo)
    calls.push({ name: FLAG_REQUEST, arguments: { kind: 'switch_language', language: switchTo } });

  let recorded = false;
  if (canRecord) {
    // A caller who asks something or objects has not answered the step's question.
    const slots = notYetKnown(
      extractSlots(last.content, prompt.step, askedFor === undefined),
      readKnown(request.system),
    );
    if (Object.keys(slots).length > 0) {
      calls.push({ name: RECORD_DETAILS, arguments: { ...slots } });
      recorded = true;
    }
  }
  if (calls.length === 0) return say;
  // A prompt that says what to say after a tool call gets both in one response: words first.
  const kind = askedFor ?? (recorded ? 'details' : undefined);
  const line = kind ? readAfterLines(request.system)[kind] : undefined;
  return line && !switchTo ? { text: line, toolCalls: calls } : { toolCalls: calls };
}

/**
 * A model does not record again what the prompt lists as already known, nor take words it already
 * recorded as another detail (an address just recorded is not the caller's name).
 */
function notYetKnown(slots: Slots, known: Record<string, string>): Slots {
  const norm = (v: unknown) =>
    (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)).toLowerCase().replace(/[.!]+$/, '');
  const knownValues = new Set(Object.values(known).map(norm));
  const fresh: Slots = {};
  for (const [key, value] of Object.entries(slots) as Array<[keyof Slots, never]>) {
    if (typeof value === 'boolean' ? known[key] !== norm(value) : !knownValues.has(norm(value)))
      fresh[key] = value;
  }
  return fresh;
}

import type { CallEvent, ReplyInput } from '../../machines/call.types.js';
import type { Logger } from '../log.js';
import { type LlmClient, LlmError, type ToolCall } from '../providers/llm/types.js';
import type { CallLine } from './call-line.js';
import { chatMessages } from './prompts.js';
import { TOOLS } from './tools.js';

/** What one LLM round of a reply produced. */
export interface LlmRound {
  text: string;
  toolCalls: ToolCall[];
  provider: string;
}

export interface LlmRoundArgs {
  line: CallLine;
  llm: LlmClient;
  llmOptions: { maxTokens: number; temperature: number };
  input: ReplyInput;
  signal: AbortSignal;
  log: Logger;
  send: (e: CallEvent) => void;
  /** Each piece of text, as it streams (it goes straight to the TTS). */
  onText: (text: string) => void;
  stopped: () => boolean;
}

/**
 * Streams one LLM round of a reply: text goes on as it comes, tool calls are collected. A failure
 * is counted as the LLM provider's error; one before any text throws (the reply then fails), one
 * after text ends the round on what was said (spoken words cannot be unsaid). Undefined once stopped.
 */
export async function streamLlmRound(a: LlmRoundArgs): Promise<LlmRound | undefined> {
  const { turns, observer } = a.line;
  turns.llmRequested();
  const round: LlmRound = { text: '', toolCalls: [], provider: a.llm.name };
  try {
    const req = { messages: chatMessages(a.input), tools: TOOLS, ...a.llmOptions, signal: a.signal };
    for await (const ev of a.llm.stream(req, a.log)) {
      if (a.stopped()) return undefined;
      if (ev.type === 'first-token') {
        round.provider = ev.provider;
        a.send({ type: 'LLM.FIRST_TOKEN', provider: ev.provider, ttftMs: ev.ttftMs });
      } else if (ev.type === 'text') {
        if (!ev.text) continue;
        if (!round.text) turns.llmFirstText(round.provider);
        round.text += ev.text;
        a.onText(ev.text);
      } else if (ev.type === 'tool-call') {
        round.toolCalls.push(ev.call);
      } else if (ev.type === 'fallback') {
        observer.fallback(ev.from, ev.to);
        a.log.warn({ from: ev.from, to: ev.to, reason: ev.reason }, 'llm fallback');
      }
    }
  } catch (err) {
    if (a.stopped()) return undefined;
    // Only the LLM stream throws here (the TTS reports through the reply's voice): an LLM error.
    const e =
      err instanceof LlmError
        ? err
        : new LlmError(String((err as Error)?.message ?? err), a.llm.name, 'connect');
    observer.providerError(e.provider, e.kind);
    if (!round.text) throw err;
    a.log.warn({ err }, 'llm failed mid-reply; ending reply early');
  }
  return a.stopped() ? undefined : round;
}

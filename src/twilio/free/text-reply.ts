import { fromCallback } from 'xstate';
import type { ReplyCommand, ReplyInput } from '../../../machines/call.types.js';
import { chatMessages } from '../../call/prompts.js';
import { TOOLS, toolCallsEvent } from '../../call/tools.js';
import type { Logger } from '../../log.js';
import type { LlmClient, LlmError, ToolCall } from '../../providers/llm/types.js';

export interface TextReplyDeps {
  llm: LlmClient;
  llmOptions: { maxTokens: number; temperature: number };
  log: Logger;
  /** The reply's words are ready to be voiced (by Twilio's <Say>) for `input`. */
  onText: (text: string, input: ReplyInput) => void;
  onFirstToken?: (provider: string, ttftMs: number) => void;
  onFallback?: (from: string, to: string) => void;
  onError?: (provider: string, kind: string) => void;
}

/**
 * The `reply` actor for the webhook-only tier: the same prompt, tools and LLM chain as a voice
 * reply, but the words are collected rather than streamed to a TTS. It reports the same milestones
 * (LLM.FIRST_TOKEN, LLM.TOOL_CALLS, REPLY.GENERATED, TTS.FIRST_AUDIO); PLAYOUT.DONE comes from the
 * call once the TwiML carrying the words has been returned.
 */
export function textReplyActor(deps: TextReplyDeps) {
  // No speculative replies on this tier (Twilio gives whole turns), so REPLY.RELEASE never comes.
  return fromCallback<ReplyCommand, ReplyInput>(({ input, sendBack }) => {
    const abort = new AbortController();
    const log = deps.log.child({ turn: input.turn, step: input.step });
    const voiced = (text: string) => {
      sendBack({ type: 'REPLY.GENERATED', text });
      // The words are ready for Twilio's TTS: from here on the chart treats the reply as audible.
      sendBack({ type: 'TTS.FIRST_AUDIO', ttfbMs: 0 });
      deps.onText(text, input);
    };
    const run = async () => {
      if (input.say !== undefined) {
        voiced(input.say);
        return;
      }
      const calls: ToolCall[] = [];
      let text = '';
      for await (const ev of deps.llm.stream(
        { messages: chatMessages(input), tools: TOOLS, ...deps.llmOptions, signal: abort.signal },
        log,
      )) {
        if (abort.signal.aborted) return;
        if (ev.type === 'first-token') {
          deps.onFirstToken?.(ev.provider, ev.ttftMs);
          sendBack({ type: 'LLM.FIRST_TOKEN', provider: ev.provider, ttftMs: ev.ttftMs });
        } else if (ev.type === 'text') text += ev.text;
        else if (ev.type === 'tool-call') calls.push(ev.call);
        else if (ev.type === 'fallback') deps.onFallback?.(ev.from, ev.to);
      }
      if (abort.signal.aborted) return;
      text = text.trim();
      if (calls.length) sendBack(toolCallsEvent(calls, text.length > 0, log));
      if (text) voiced(text);
      else if (!calls.length) sendBack({ type: 'REPLY.FAILED', reason: 'empty reply' });
    };
    run().catch((err: unknown) => {
      if (abort.signal.aborted) return;
      const e = err as Partial<LlmError>;
      deps.onError?.(e.provider ?? deps.llm.name, e.kind ?? 'error');
      log.warn({ err }, 'reply failed');
      sendBack({ type: 'REPLY.FAILED', reason: String((err as Error)?.message ?? err) });
    });
    return () => abort.abort();
  });
}

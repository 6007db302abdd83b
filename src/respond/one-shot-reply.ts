import type { CallerIntent, CallFacts, HistoryEntry, ReplyInput } from '../../machines/call.types.js';
import { localIntents } from '../../machines/local-intents.js';
import { suggestedReply } from '../../machines/phrases.js';
import { chatMessages } from '../call/prompts.js';
import { TOOLS, toolCallToIntent } from '../call/tools.js';
import type { Logger } from '../log.js';
import type { LlmClient, ToolCall } from '../providers/llm/types.js';
import { applyIntents, type WorkflowState } from './one-shot-workflow.js';

export interface OneShotReplyDeps {
  llm: LlmClient;
  llmOptions: { maxTokens: number; temperature: number };
  log: Logger;
}

export interface OneShotReplyInput {
  facts: CallFacts;
  state: WorkflowState;
  /** The conversation so far, ending with the caller's utterance. */
  history: HistoryEntry[];
  signal?: AbortSignal;
}

export interface OneShotReply {
  text: string;
  /** The workflow after the caller's details were applied: the step the reply speaks for. */
  state: WorkflowState;
  provider: string;
  /** Completions made: a turn that only records details takes a second one to say something. */
  rounds: number;
  /** The chain's first token of the first completion, from the request. */
  firstTokenMs: number | undefined;
  /** True when no completion produced words and the step's suggested line was used. */
  usedSuggestion: boolean;
}

/** A record-only turn, then the spoken one; a third round is a model that will not talk. */
const MAX_ROUNDS = 3;

/**
 * The agent's answer to one utterance, built like a call turn: details the words plainly give are
 * applied first (`localIntents`), then the same prompt (`chatMessages`) and tools. Words spoken
 * before the tool calls are the reply (the prompt's line for where the details lead); after a
 * tool-only completion the tool results go into the history and the reply is asked again for the step
 * the workflow moved to, as the call's `deciding` state does.
 * `onText` gets the spoken text as it streams, with the workflow state it speaks for.
 */
export async function oneShotReply(
  input: OneShotReplyInput,
  deps: OneShotReplyDeps,
  onText: (delta: string, state: WorkflowState) => void,
): Promise<OneShotReply> {
  // As the chart does on the caller's final: what the words plainly give for this step is applied
  // before the turn's LLM request, which then speaks for where it leads.
  const said = input.history.at(-1);
  let state =
    said?.role === 'caller'
      ? applyIntents(input.state, localIntents(said.text, input.state.step))
      : input.state;
  const history = [...input.history];
  let provider = deps.llm.name;
  let firstTokenMs: number | undefined;
  let rounds = 0;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    rounds = round;
    const replyInput: ReplyInput = {
      callId: 'respond',
      step: state.step,
      language: state.language,
      facts: input.facts,
      slots: state.slots,
      history,
      turn: 1,
      ...(state.notice ? { notice: state.notice } : {}),
    };
    let text = '';
    const calls: ToolCall[] = [];
    for await (const ev of deps.llm.stream(
      {
        messages: chatMessages(replyInput),
        tools: TOOLS,
        ...deps.llmOptions,
        ...(input.signal ? { signal: input.signal } : {}),
      },
      deps.log,
    )) {
      if (ev.type === 'first-token') {
        provider = ev.provider;
        firstTokenMs ??= ev.ttftMs;
      } else if (ev.type === 'text' && ev.text) {
        text += ev.text;
        onText(ev.text, state);
      } else if (ev.type === 'tool-call') calls.push(ev.call);
      else if (ev.type === 'fallback')
        deps.log.warn({ from: ev.from, to: ev.to, reason: ev.reason }, 'llm fallback');
    }
    state = applyIntents(state, intentsOf(calls, deps.log));
    if (text.trim()) return { text, state, provider, rounds: round, firstTokenMs, usedSuggestion: false };
    if (calls.length === 0) break;
    history.push({
      role: 'tools',
      calls: calls.map((c) => ({ id: c.id, name: c.name, arguments: c.rawArguments })),
      result: JSON.stringify({ step: state.step, recorded: state.slots, notice: state.notice ?? null }),
    });
  }
  const text = suggestedReply(state.step, state.notice, input.facts, state.slots, state.language);
  onText(text, state);
  return { text, state, provider, rounds, firstTokenMs, usedSuggestion: true };
}

function intentsOf(calls: readonly ToolCall[], log: Logger): CallerIntent[] {
  const intents: CallerIntent[] = [];
  for (const call of calls) {
    const parsed = toolCallToIntent(call);
    if (parsed.ok) intents.push(parsed.intent);
    else log.warn({ tool: call.name, error: parsed.error }, 'tool call rejected');
  }
  return intents;
}

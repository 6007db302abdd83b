import { randomBytes } from 'node:crypto';
import type { BrainReply } from './brain.js';
import { estimateTokens, splitIntoTokens, splitJsonFragments } from './tokens.js';

/** A brain reply cut into the pieces a wire layer streams, with the bookkeeping every vendor reports. */
export interface ReplyPlan {
  textTokens: string[];
  toolCalls: PlannedToolCall[];
  /** Vendor-neutral; each wire maps it (Anthropic: end_turn / max_tokens / tool_use). */
  finish: 'stop' | 'length' | 'tool_calls';
  usage: { promptTokens: number; completionTokens: number };
}

export interface PlannedToolCall {
  id: string;
  name: string;
  /** Argument JSON, whole or cut into fragments; concatenated they are the full JSON text. */
  fragments: string[];
}

export interface PlanOptions {
  /** The request's token limit: text beyond it is cut and the reply finishes with `length`. */
  maxTokens?: number;
  splitToolArguments: boolean;
  toolCallIdPrefix: 'call_' | 'toolu_';
  /** Size of the prompt, for the usage numbers. */
  promptChars: number;
}

export function planReply(reply: BrainReply, opts: PlanOptions): ReplyPlan {
  let textTokens = splitIntoTokens(reply.text ?? '');
  let finish: ReplyPlan['finish'] = 'stop';
  if (opts.maxTokens !== undefined && textTokens.length > opts.maxTokens) {
    textTokens = textTokens.slice(0, opts.maxTokens);
    finish = 'length';
  }
  const toolCalls = (reply.toolCalls ?? []).map((call) => {
    const json = JSON.stringify(call.arguments);
    return {
      id: newId(opts.toolCallIdPrefix),
      name: call.name,
      fragments: opts.splitToolArguments ? splitJsonFragments(json) : [json],
    };
  });
  if (toolCalls.length > 0) finish = 'tool_calls';
  const argumentChars = toolCalls.reduce((n, c) => n + c.fragments.join('').length, 0);
  return {
    textTokens,
    toolCalls,
    finish,
    usage: {
      promptTokens: estimateTokens(opts.promptChars),
      completionTokens: textTokens.length + (argumentChars ? estimateTokens(argumentChars) : 0),
    },
  };
}

/** Vendor-style random ids (`call_…`, `toolu_…`, `chatcmpl-…`, `req_…`, `msg_…`). */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

import type { Logger } from '../../log.js';

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed JSON object; validated by the caller against the tool's schema. */
  arguments: unknown;
  rawArguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** A tool offered to the model; parameters are JSON Schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[]; // the first may be the system prompt
  tools: ToolSpec[];
  maxTokens: number;
  temperature: number;
  signal?: AbortSignal;
}

export type LlmEvent =
  /** First text or tool-call token of the reply, from the provider that won. */
  | { type: 'first-token'; provider: string; model: string; ttftMs: number }
  | { type: 'text'; text: string }
  | { type: 'tool-call'; call: ToolCall }
  /** The chain moved to (or hedged with) another provider. */
  | { type: 'fallback'; from: string; to: string; reason: string }
  | {
      type: 'done';
      provider: string;
      finishReason: 'stop' | 'tool_calls' | 'length';
      usage?: { promptTokens: number; completionTokens: number };
    };

/** One provider (or the fallback chain); each call of `stream` is one reply. */
export interface LlmClient {
  readonly name: string;
  /** Iterates the reply; throws LlmError when it fails (after fallbacks, for the chain). Abort via signal. */
  stream(req: ChatRequest, log: Logger): AsyncIterable<LlmEvent>;
}

export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    message: string,
    readonly provider: string,
    readonly kind: 'connect' | 'status' | 'stall' | 'truncated' | 'malformed' | 'aborted',
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

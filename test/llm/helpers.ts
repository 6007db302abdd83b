import { TOOLS } from '../../src/call/tools.js';
import { silentLogger } from '../../src/log.js';
import type {
  ChatMessage,
  ChatRequest,
  LlmClient,
  LlmEvent,
  ToolSpec,
} from '../../src/providers/llm/types.js';
import { LlmError } from '../../src/providers/llm/types.js';

/** The two tools the call runtime offers: the product's own definitions. */
export const BOOKING_TOOLS: ToolSpec[] = TOOLS;

/** A system prompt shaped like the call runtime's, with prose around the labelled lines. */
export function systemPrompt(step: string, suggestedReply: string, language = 'en'): string {
  return [
    'You are Sam, the phone assistant for Acme Plumbing in Kettering.',
    'Speak briefly and warmly. Never invent prices.',
    `Step: ${step}`,
    `Language: ${language}`,
    `Suggested reply: ${suggestedReply}`,
    'If the caller gives details, call record_details. If they ask for something else, call flag_request.',
  ].join('\n');
}

export function bookingRequest(
  step: string,
  callerSaid: string,
  opts: { suggestedReply?: string; language?: string; history?: ChatMessage[]; signal?: AbortSignal } = {},
): ChatRequest {
  const reply = opts.suggestedReply ?? 'Thanks. What is the first line of the address?';
  return {
    messages: [
      { role: 'system', content: systemPrompt(step, reply, opts.language) },
      ...(opts.history ?? []),
      { role: 'user', content: callerSaid },
    ],
    tools: BOOKING_TOOLS,
    maxTokens: 250,
    temperature: 0.3,
    signal: opts.signal,
  };
}

/** A request whose last message is the result of a record_details call: the model should speak. */
export function afterToolResult(step: string, suggestedReply: string): ChatRequest {
  const req = bookingRequest(step, 'It is NN15 6QP', { suggestedReply });
  req.messages.push(
    {
      role: 'assistant',
      content: '',
      toolCalls: [
        {
          id: 'call_prev1',
          name: 'record_details',
          arguments: { postcode: 'NN15 6QP' },
          rawArguments: '{"postcode":"NN15 6QP"}',
        },
      ],
    },
    { role: 'tool', toolCallId: 'call_prev1', name: 'record_details', content: '{"ok":true}' },
  );
  return req;
}

export interface Collected {
  events: LlmEvent[];
  error?: LlmError;
  text: string;
}

/** Runs one reply to the end; an LlmError is returned, anything else thrown is a test failure. */
export async function collect(client: LlmClient, req: ChatRequest): Promise<Collected> {
  const events: LlmEvent[] = [];
  try {
    for await (const event of client.stream(req, silentLogger)) events.push(event);
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    return { events, error: err, text: textOf(events) };
  }
  return { events, text: textOf(events) };
}

function textOf(events: LlmEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.text : '')).join('');
}

export function ofType<T extends LlmEvent['type']>(
  events: LlmEvent[],
  type: T,
): Array<Extract<LlmEvent, { type: T }>> {
  return events.filter((e): e is Extract<LlmEvent, { type: T }> => e.type === type);
}

/** Resolves once `predicate` holds, polling; for sim-side effects that follow a client action. */
export async function eventually(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

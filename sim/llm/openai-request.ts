import { z } from 'zod';
import type { BrainMessage } from './brain.js';
import type { ParseResult } from './completion-sim.js';

/**
 * The OpenAI-compatible chat request that Groq (docs/protocols/groq-chat.md §2) and Cerebras
 * (docs/protocols/fallback-llms.md §A2) accept. Fields the simulators do not model are accepted and ignored,
 * as the services do with options they do not know.
 */

const content = z.union([
  z.string(),
  z.null(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
]);

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content }),
  z.looseObject({ role: z.literal('developer'), content }),
  z.looseObject({ role: z.literal('user'), content }),
  z.looseObject({
    role: z.literal('assistant'),
    content: content.optional(),
    tool_calls: z.array(toolCall).nullish(),
  }),
  z.looseObject({
    role: z.literal('tool'),
    content,
    tool_call_id: z.string().min(1),
    name: z.string().optional(),
  }),
]);

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const tokenLimit = z.number().int().positive().nullish();

export const openAiChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function') })])
    .nullish(),
  max_completion_tokens: tokenLimit,
  max_tokens: tokenLimit,
  temperature: z.number().min(0).max(2).nullish(),
});

export function parseOpenAiChatRequest(body: unknown): ParseResult {
  const parsed = openAiChatRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  const req = parsed.data;

  const toolNamesById = new Map<string, string>();
  const systemParts: string[] = [];
  const messages: BrainMessage[] = [];
  for (const m of req.messages) {
    const text = textOf(m.content);
    if (m.role === 'system' || m.role === 'developer') systemParts.push(text);
    else if (m.role === 'user') messages.push({ role: 'user', content: text });
    else if (m.role === 'assistant') {
      const toolCalls = (m.tool_calls ?? []).map((c) => {
        toolNamesById.set(c.id, c.function.name);
        return { name: c.function.name, arguments: parseJsonOr(c.function.arguments) };
      });
      messages.push({ role: 'assistant', content: text, ...(toolCalls.length ? { toolCalls } : {}) });
    } else {
      const toolName = m.name ?? toolNamesById.get(m.tool_call_id);
      messages.push({ role: 'tool', content: text, ...(toolName ? { toolName } : {}) });
    }
  }

  const offered = req.tool_choice === 'none' ? [] : (req.tools ?? []).map((t) => t.function.name);
  return {
    ok: true,
    value: {
      model: req.model,
      stream: req.stream === true,
      maxTokens: req.max_completion_tokens ?? req.max_tokens ?? undefined,
      brain: { system: systemParts.join('\n'), messages, tools: offered },
      promptChars: JSON.stringify(req.messages).length,
    },
  };
}

function textOf(value: z.infer<typeof content> | undefined): string {
  if (typeof value === 'string') return value;
  if (!value) return '';
  return value.map((part) => part.text ?? '').join('');
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One readable line, like the services' own 400 messages. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request body';
  const path = issue.path.length ? `'${issue.path.join('.')}'` : 'body';
  return `${path}: ${issue.message}`;
}

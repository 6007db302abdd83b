import { z } from 'zod';
import type { BrainMessage } from './brain.js';
import type { ParseResult } from './completion-sim.js';
import { describeIssue } from './openai-request.js';

/** The Messages request (docs/protocols/fallback-llms.md §B2), validated and reduced for the brain. */

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))])
    .optional(),
  is_error: z.boolean().optional(),
});
/** Images, documents, thinking blocks…: accepted, not read. A malformed known block is still a 400. */
const KNOWN_BLOCKS = ['text', 'tool_use', 'tool_result'];
const otherBlock = z.looseObject({ type: z.string().refine((t) => !KNOWN_BLOCKS.includes(t)) });
const block = z.union([textBlock, toolUseBlock, toolResultBlock, otherBlock]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block)]),
});

export const anthropicRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.looseObject({}),
      }),
    )
    .optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']) }).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
});

type Block = z.infer<typeof block>;

export function parseAnthropicRequest(body: unknown): ParseResult {
  const parsed = anthropicRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  const req = parsed.data;

  const toolNamesById = new Map<string, string>();
  const messages: BrainMessage[] = [];
  for (const m of req.messages) {
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    const text = blocks
      .filter(isText)
      .map((b) => b.text)
      .join('');
    if (m.role === 'assistant') {
      const toolCalls = blocks.filter(isToolUse).map((b) => {
        toolNamesById.set(b.id, b.name);
        return { name: b.name, arguments: b.input };
      });
      messages.push({ role: 'assistant', content: text, ...(toolCalls.length ? { toolCalls } : {}) });
      continue;
    }
    // Tool results travel inside a user turn; a turn of only results is the model's cue to go on.
    for (const result of blocks.filter(isToolResult)) {
      const toolName = toolNamesById.get(result.tool_use_id);
      messages.push({ role: 'tool', content: resultText(result.content), ...(toolName ? { toolName } : {}) });
    }
    if (text || !blocks.some(isToolResult)) messages.push({ role: 'user', content: text });
  }

  const system =
    typeof req.system === 'string' ? req.system : (req.system ?? []).map((b) => b.text).join('\n');
  const offered = req.tool_choice?.type === 'none' ? [] : (req.tools ?? []).map((t) => t.name);
  return {
    ok: true,
    value: {
      model: req.model,
      stream: req.stream === true,
      maxTokens: req.max_tokens,
      brain: { system, messages, tools: offered },
      promptChars: system.length + JSON.stringify(req.messages).length,
    },
  };
}

function isText(b: Block): b is z.infer<typeof textBlock> {
  return b.type === 'text';
}
function isToolUse(b: Block): b is z.infer<typeof toolUseBlock> {
  return b.type === 'tool_use';
}
function isToolResult(b: Block): b is z.infer<typeof toolResultBlock> {
  return b.type === 'tool_result';
}

function resultText(content: z.infer<typeof toolResultBlock>['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => part.text ?? '').join('');
}

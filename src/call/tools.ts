import { z } from 'zod';
import type { CallEvent, CallerIntent, ToolCallSummary } from '../../machines/call.types.js';
import type { Logger } from '../log.js';
import type { ToolCall, ToolSpec } from '../providers/llm/types.js';

/** The two tools offered on every turn. The machine, not the model, decides what a value is worth. */
export const TOOLS: ToolSpec[] = [
  {
    name: 'record_details',
    description:
      'Record what the caller has just told you. Include every detail they gave: the problem, whether they agreed to the callout, postcode, house number and street, name, and a number to call them back on if they give one.',
    parameters: {
      type: 'object',
      properties: {
        problem: { type: 'string', description: 'One-line summary of the problem' },
        agreed: {
          type: 'boolean',
          description: 'true if they agreed to the callout, false if they declined',
        },
        postcode: { type: 'string', description: 'UK postcode exactly as said' },
        address: { type: 'string', description: 'House number and street' },
        name: { type: 'string', description: "Caller's name" },
        callback: { type: 'string', description: 'A phone number to call them back on, if they give one' },
      },
      additionalProperties: false,
    },
  },
  {
    name: 'flag_request',
    description:
      'Flag a request or objection: total_price (wants a total price), too_expensive, are_you_local, abusive, human (wants a person), switch_language (with language).',
    parameters: {
      type: 'object',
      properties: {
        kind: {
          type: 'string',
          enum: ['total_price', 'too_expensive', 'are_you_local', 'abusive', 'human', 'switch_language'],
        },
        language: { type: 'string', enum: ['en', 'es'] },
      },
      required: ['kind'],
      additionalProperties: false,
    },
  },
];

const text = z.string().trim().min(1).max(300);
const recordDetailsArgs = z
  .object({
    problem: text.optional(),
    agreed: z.boolean().optional(),
    postcode: z.string().trim().min(1).max(64).optional(),
    address: text.optional(),
    name: z.string().trim().min(1).max(80).optional(),
    callback: z.string().trim().min(1).max(40).optional(),
  })
  .strip();
const flagRequestArgs = z.object({
  kind: z.enum(['total_price', 'too_expensive', 'are_you_local', 'abusive', 'human', 'switch_language']),
  language: z.enum(['en', 'es']).optional(),
});

const FLAG_INTENT: Record<z.infer<typeof flagRequestArgs>['kind'], CallerIntent['type']> = {
  total_price: 'CALLER.ASKED_TOTAL_PRICE',
  too_expensive: 'CALLER.SAID_TOO_EXPENSIVE',
  are_you_local: 'CALLER.ASKED_IF_LOCAL',
  abusive: 'CALLER.WAS_ABUSIVE',
  human: 'CALLER.ASKED_FOR_HUMAN',
  switch_language: 'CALLER.SWITCHED_LANGUAGE',
};

export type ToolParse = { ok: true; intent: CallerIntent } | { ok: false; error: string };

/** Validates one tool call from the model and turns it into a machine event, or explains why not. */
export function toolCallToIntent(call: ToolCall): ToolParse {
  if (call.name === 'record_details') {
    const r = recordDetailsArgs.safeParse(call.arguments);
    if (!r.success) return { ok: false, error: `record_details: ${r.error.issues[0]?.message ?? 'invalid'}` };
    if (Object.keys(r.data).length === 0) return { ok: false, error: 'record_details: no fields' };
    return { ok: true, intent: { type: 'CALLER.GAVE_DETAILS', details: r.data } };
  }
  if (call.name === 'flag_request') {
    const r = flagRequestArgs.safeParse(call.arguments);
    if (!r.success) return { ok: false, error: `flag_request: ${r.error.issues[0]?.message ?? 'invalid'}` };
    if (r.data.kind === 'switch_language') {
      if (!r.data.language) return { ok: false, error: 'flag_request: switch_language needs language' };
      return { ok: true, intent: { type: 'CALLER.SWITCHED_LANGUAGE', language: r.data.language } };
    }
    return { ok: true, intent: { type: FLAG_INTENT[r.data.kind] } as CallerIntent };
  }
  return { ok: false, error: `unknown tool ${call.name}` };
}

/** The chart's event for a reply's tool calls: each validated into an intent, or logged and left out. */
export function toolCallsEvent(calls: readonly ToolCall[], afterText: boolean, log: Logger): CallEvent {
  const intents: CallerIntent[] = [];
  const summaries: ToolCallSummary[] = [];
  for (const call of calls) {
    summaries.push({ id: call.id, name: call.name, arguments: call.rawArguments });
    const parsed = toolCallToIntent(call);
    if (parsed.ok) intents.push(parsed.intent);
    else log.warn({ tool: call.name, error: parsed.error }, 'tool call rejected');
  }
  return { type: 'LLM.TOOL_CALLS', calls: summaries, intents, afterText };
}

import type { IncomingHttpHeaders } from 'node:http';
import { parseAnthropicRequest } from './anthropic-request.js';
import { type LlmSim, startCompletionSim, type VendorWire } from './completion-sim.js';
import { newId, type ReplyPlan } from './reply-plan.js';
import { type LlmSimOptions, resolveSimConfig } from './sim-options.js';
import { type Frame, sseEvent } from './sse.js';

/** Anthropic Messages streaming, as docs/protocols/fallback-llms.md Part B describes the wire. */

/** §B4: `error.type` by status. */
function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    402: 'billing_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    500: 'api_error',
    504: 'timeout_error',
    529: 'overloaded_error',
  };
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

const STOP_REASONS = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' } as const;

export const anthropicWire: VendorWire = {
  completionPath: '/v1/messages', // §B1
  toolCallIdPrefix: 'toolu_',

  // §B1: SDK 0.x sends x-api-key, 1.x sends Authorization: Bearer; accept both.
  hasCredentials: (headers: IncomingHttpHeaders) =>
    /^\S+$/.test(String(headers['x-api-key'] ?? '')) || /^Bearer\s+\S+/i.test(headers.authorization ?? ''),

  // §B1: required; any value is accepted (SDK 1.12.0 sends 2026-10-21, 0.x sends 2023-06-01).
  missingHeader: (headers: IncomingHttpHeaders) =>
    headers['anthropic-version'] ? undefined : 'anthropic-version: header is required',

  parse: parseAnthropicRequest,

  errorBody: (status, message) => ({
    type: 'error',
    error: { type: anthropicErrorType(status), message },
    request_id: newId('req_'),
  }),

  responseHeaders: () => ({ 'request-id': newId('req_') }),

  frames(plan: ReplyPlan, model: string): Frame[] {
    // §B3: every block carries an `event:` line (the SDK drops blocks without one); no [DONE].
    const event = (type: string, data: object = {}) => sseEvent(type, { type, ...data });
    const frames: Frame[] = [
      {
        role: 'open',
        text: event('message_start', {
          message: {
            id: newId('msg_'),
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: plan.usage.promptTokens, output_tokens: 1 },
          },
        }),
      },
      { role: 'open', text: event('ping') },
    ];
    let index = 0;
    if (plan.textTokens.length > 0) {
      frames.push({
        role: 'between',
        text: event('content_block_start', { index, content_block: { type: 'text', text: '' } }),
      });
      for (const text of plan.textTokens) {
        frames.push({
          role: 'token',
          text: event('content_block_delta', { index, delta: { type: 'text_delta', text } }),
        });
      }
      frames.push({ role: 'between', text: event('content_block_stop', { index }) });
      index += 1;
    }
    for (const call of plan.toolCalls) {
      frames.push({
        role: 'between',
        text: event('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
        }),
      });
      for (const partial_json of call.fragments) {
        frames.push({
          role: 'token',
          text: event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
        });
      }
      frames.push({ role: 'between', text: event('content_block_stop', { index }) });
      index += 1;
    }
    frames.push({
      role: 'tail',
      text: event('message_delta', {
        delta: { stop_reason: STOP_REASONS[plan.finish], stop_sequence: null },
        usage: { output_tokens: plan.usage.completionTokens },
      }),
    });
    frames.push({ role: 'tail', text: event('message_stop') });
    return frames;
  },

  malformedFrame: () =>
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_de\n\n',

  // §B3: a failure after the 200 replaces the rest of the stream.
  streamErrorFrame: () =>
    sseEvent('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
};

/** Starts an Anthropic simulator. Knobs fall back to SIM_ANTHROPIC_* env variables (docs/simulators.md). */
export async function startAnthropicSim(opts: LlmSimOptions = {}): Promise<LlmSim> {
  return startCompletionSim(
    anthropicWire,
    // Tool input always arrives as input_json_delta pieces; `whole` sends it as one piece.
    resolveSimConfig('SIM_ANTHROPIC', opts, {
      port: 8085,
      ttftMs: 350,
      tokensPerSec: 150,
      toolCalls: 'split',
    }),
  );
}

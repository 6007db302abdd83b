import type { IncomingHttpHeaders } from 'node:http';
import { type LlmSim, startCompletionSim, type VendorWire } from './completion-sim.js';
import { parseOpenAiChatRequest } from './openai-request.js';
import { newId, type ReplyPlan } from './reply-plan.js';
import { type LlmSimOptions, resolveSimConfig } from './sim-options.js';
import { type Frame, sseData, sseEvent } from './sse.js';

/** Groq chat completions, as docs/protocols/groq-chat.md describes the wire. */

/** §4a: error `type` / `code` by status. */
function groqError(status: number): { type: string; code?: string } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'unknown_url' };
  if (status === 429) return { type: 'tokens', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'internal_server_error', code: 'internal_server_error' };
  return { type: 'invalid_request_error' };
}

export const groqWire: VendorWire = {
  completionPath: '/openai/v1/chat/completions', // §1: the SDK appends this to the bare origin
  toolCallIdPrefix: 'call_',

  hasCredentials: (headers: IncomingHttpHeaders) => /^Bearer\s+\S+/i.test(headers.authorization ?? ''),

  parse: parseOpenAiChatRequest,

  errorBody: (status, message) => ({ error: { message, ...groqError(status) } }),

  responseHeaders: () => ({
    'x-request-id': newId('req_'),
    'x-groq-region': 'sim',
    'x-ratelimit-limit-requests': '14400',
    'x-ratelimit-remaining-requests': '14399',
    'x-ratelimit-reset-requests': '6s',
  }),

  frames(plan: ReplyPlan, model: string): Frame[] {
    const base = {
      id: newId('chatcmpl-'),
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_sim',
    };
    const requestId = newId('req_');
    const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) =>
      sseData({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...extra,
      });

    // §5.2: role chunk with x_groq.id → content / tool-call chunks → final chunk → [DONE].
    const frames: Frame[] = [
      { role: 'open', text: chunk({ role: 'assistant', content: '' }, null, { x_groq: { id: requestId } }) },
    ];
    for (const token of plan.textTokens) frames.push({ role: 'token', text: chunk({ content: token }) });
    plan.toolCalls.forEach((call, index) => {
      call.fragments.forEach((fragment, i) => {
        // §3c: id, type and name only on the first piece of each call.
        const piece =
          i === 0
            ? { index, id: call.id, type: 'function', function: { name: call.name, arguments: fragment } }
            : { index, function: { arguments: fragment } };
        frames.push({ role: 'token', text: chunk({ tool_calls: [piece] }) });
      });
    });
    const completionTime = plan.usage.completionTokens / 800;
    const usage = {
      queue_time: 0.001,
      prompt_tokens: plan.usage.promptTokens,
      prompt_time: 0.002,
      completion_tokens: plan.usage.completionTokens,
      completion_time: completionTime,
      total_tokens: plan.usage.promptTokens + plan.usage.completionTokens,
      total_time: 0.002 + completionTime,
    };
    frames.push({ role: 'tail', text: chunk({}, plan.finish, { x_groq: { id: requestId, usage } }) });
    frames.push({ role: 'tail', text: 'data: [DONE]\n\n' });
    return frames;
  },

  // The SDK JSON-parses every data line and throws on this one (§3).
  malformedFrame: () =>
    'data: {"id":"chatcmpl-sim","object":"chat.completion.chunk","choices":[{"delta":{"conte\n\n',

  // §4b: a late failure is an `event: error` block, then the stream ends.
  streamErrorFrame: () =>
    sseEvent('error', {
      error: {
        message: 'Internal server error',
        type: 'internal_server_error',
        code: 'internal_server_error',
        status_code: 500,
      },
    }),
};

/** Starts a Groq simulator. Knobs fall back to SIM_GROQ_* env variables (docs/simulators.md). */
export async function startGroqSim(opts: LlmSimOptions = {}): Promise<LlmSim> {
  return startCompletionSim(
    groqWire,
    resolveSimConfig('SIM_GROQ', opts, { port: 8082, ttftMs: 40, tokensPerSec: 800, toolCalls: 'whole' }),
  );
}

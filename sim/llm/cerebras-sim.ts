import type { IncomingHttpHeaders } from 'node:http';
import { type LlmSim, startCompletionSim, type VendorWire } from './completion-sim.js';
import { parseOpenAiChatRequest } from './openai-request.js';
import { newId, type ReplyPlan } from './reply-plan.js';
import { type LlmSimOptions, resolveSimConfig } from './sim-options.js';
import { type Frame, sseData } from './sse.js';

/** Cerebras chat completions, as docs/protocols/fallback-llms.md Part A describes the wire. */

/** §A4: flat error bodies; the 429 shape is the one captured from the service. */
function cerebrasError(status: number): { type: string; param: string; code: string } {
  if (status === 401) return { type: 'invalid_request_error', param: 'api_key', code: 'wrong_api_key' };
  if (status === 404) return { type: 'not_found_error', param: 'url', code: 'not_found' };
  if (status === 429)
    return { type: 'too_many_requests_error', param: 'quota', code: 'request_quota_exceeded' };
  if (status >= 500) return { type: 'server_error', param: '', code: 'internal_error' };
  return { type: 'invalid_request_error', param: '', code: 'bad_request' };
}

export const cerebrasWire: VendorWire = {
  completionPath: '/v1/chat/completions', // §A1
  toolCallIdPrefix: 'call_',

  hasCredentials: (headers: IncomingHttpHeaders) => /^Bearer\s+\S+/i.test(headers.authorization ?? ''),

  parse: parseOpenAiChatRequest,

  errorBody: (status, message) => ({
    message: status === 429 ? 'Requests per minute limit exceeded - too many requests sent.' : message,
    ...cerebrasError(status),
  }),

  responseHeaders: () => ({ 'x-request-id': newId('req_') }),

  frames(plan: ReplyPlan, model: string): Frame[] {
    const base = {
      id: newId('chatcmpl-'),
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_sim',
    };
    // §A3: data-only blocks. The Cerebras SDK yields any block with an `event:` line to the app
    // instead of parsing it as a chunk, so normal chunks must never carry one.
    const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) =>
      sseData({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra });

    const frames: Frame[] = [{ role: 'open', text: chunk({ role: 'assistant', content: '' }) }];
    for (const token of plan.textTokens) frames.push({ role: 'token', text: chunk({ content: token }) });
    plan.toolCalls.forEach((call, index) => {
      call.fragments.forEach((fragment, i) => {
        const piece =
          i === 0
            ? { index, id: call.id, type: 'function', function: { name: call.name, arguments: fragment } }
            : { index, type: 'function', function: { arguments: fragment } };
        frames.push({ role: 'token', text: chunk({ tool_calls: [piece] }) });
      });
    });
    const completionTime = plan.usage.completionTokens / 2000;
    frames.push({
      role: 'tail',
      text: chunk({}, plan.finish, {
        usage: {
          prompt_tokens: plan.usage.promptTokens,
          completion_tokens: plan.usage.completionTokens,
          total_tokens: plan.usage.promptTokens + plan.usage.completionTokens,
        },
        time_info: {
          queue_time: 0.0004,
          prompt_time: 0.003,
          completion_time: completionTime,
          total_time: 0.0034 + completionTime,
          created: base.created,
        },
      }),
    });
    frames.push({ role: 'tail', text: 'data: [DONE]\n\n' });
    return frames;
  },

  malformedFrame: () =>
    'data: {"id":"chatcmpl-sim","object":"chat.completion.chunk","choices":[{"delta":{"conte\n\n',

  // §A5: a chunk-shaped error object, data-only.
  streamErrorFrame: () =>
    sseData({
      error: { message: 'simulated backend failure', type: 'server_error', code: 'internal_error' },
      status_code: 500,
    }),

  answerOther(req, res) {
    // §A1: the SDK warms its TCP connection with this request unless told not to.
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/v1/tcp_warming') return false;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
    return true;
  },
};

/** Starts a Cerebras simulator. Knobs fall back to SIM_CEREBRAS_* env variables (docs/simulators.md). */
export async function startCerebrasSim(opts: LlmSimOptions = {}): Promise<LlmSim> {
  return startCompletionSim(
    cerebrasWire,
    resolveSimConfig('SIM_CEREBRAS', opts, {
      port: 8084,
      ttftMs: 60,
      tokensPerSec: 2000,
      toolCalls: 'whole',
    }),
  );
}

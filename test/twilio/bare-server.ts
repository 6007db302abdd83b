import { nullObserver } from '../../src/call/observer.js';
import type { Logger } from '../../src/log.js';
import type { LlmClient } from '../../src/providers/llm/types.js';
import type { BookingJournal } from '../../src/store/booking-journal.js';
import type { CallStore, Tenant } from '../../src/store/types.js';
import type { MediaStreamCall } from '../../src/transports/twilio/media-stream-call.js';
import type { StreamCallSetup } from '../../src/transports/twilio/stream-connection.js';
import { startTwilioServer } from '../../src/twilio/voice-server.js';
import { QUICK_FIX } from '../store/fixtures.js';

export const TOKEN = 'test-auth-token-0001';

/** A Twilio server with no providers behind it: every call is an Enterprise stream call. */
export async function startBareTwilioServer(
  log: Logger,
  opts: { publicBaseUrl?: string; publicNodeUrl?: string; tenant?: Tenant } = {},
) {
  const calls: Array<{ call: MediaStreamCall; setup: StreamCallSetup }> = [];
  const tenant = opts.tenant ?? QUICK_FIX;
  const server = await startTwilioServer({
    host: '127.0.0.1',
    port: 0,
    authToken: TOKEN,
    ...(opts.publicBaseUrl ? { publicBaseUrl: opts.publicBaseUrl } : {}),
    ...(opts.publicNodeUrl ? { publicNodeUrl: opts.publicNodeUrl } : {}),
    log,
    resolveContext: async ({ caller }) => ({
      tenant,
      isRepeatCaller: false,
      language: caller.startsWith('+52') ? 'es' : 'en',
      callerHash: '',
      callerMasked: '',
    }),
    onStreamCall: (call, setup) => calls.push({ call, setup }),
    free: {
      llm: {} as LlmClient,
      llmOptions: { maxTokens: 100, temperature: 0 },
      store: {} as CallStore,
      journal: {} as BookingJournal,
      observer: nullObserver,
    },
  });
  return { server, calls };
}

export function callParams(callSid: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: 'AC00000000000000000000000000000001',
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'ringing',
    Called: '+442012345678',
    Caller: '+447700900123',
    Direction: 'inbound',
    From: '+447700900123',
    To: '+442012345678',
    ...over,
  };
}

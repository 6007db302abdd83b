/**
 * The provider floor (provider-floor-server.ts) as a child process of the bench, so its CPU and RSS
 * are sampled from /proc like callchart's. Provider URLs and keys come from the simulators'
 * environment (DEEPGRAM_BASE_URL, …), the rest from PROVIDER_FLOOR_* variables. Prints
 * `FLOOR_PORT=<port>` once listening.
 */
import { startProviderFloorServer } from './provider-floor-server.js';

const text = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set`);
  return v;
};
const num = (name: string): number => {
  const v = Number(process.env[name]);
  if (!Number.isFinite(v))
    throw new Error(`${name} must be a number, got ${JSON.stringify(process.env[name])}`);
  return v;
};

const floor = await startProviderFloorServer({
  endpoints: {
    deepgramUrl: text('DEEPGRAM_BASE_URL'),
    deepgramKey: text('DEEPGRAM_API_KEY'),
    groqUrl: text('GROQ_BASE_URL'),
    groqKey: text('GROQ_API_KEY'),
    groqModel: 'llama-3.3-70b-versatile',
    cartesiaUrl: text('CARTESIA_BASE_URL'),
    cartesiaKey: text('CARTESIA_API_KEY'),
    cartesiaModel: 'sonic-3',
    cartesiaVoice: 'a01c369f-6d2d-4185-bc20-b32c225eab70',
    endpointingMs: num('PROVIDER_FLOOR_ENDPOINTING_MS'),
  },
  greetingMs: num('PROVIDER_FLOOR_GREETING_MS'),
  replyText: text('PROVIDER_FLOOR_REPLY_TEXT'),
  linesPerCall: num('PROVIDER_FLOOR_LINES_PER_CALL'),
});
console.log(`FLOOR_PORT=${floor.port}`);
// Nothing to flush: the floor keeps no state worth a graceful close.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

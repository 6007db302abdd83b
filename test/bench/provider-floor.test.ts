import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../bench/child-process.js';
import { startProviderFloorServer } from '../../bench/provider-floor-server.js';
import { runSimulatedCaller } from '../../sim/caller/caller.js';
import { loadCallerScript } from '../../sim/caller/script.js';
import { type SimStack, startSimStack } from '../../sim/stack.js';

const script = loadCallerScript(join(ROOT, 'fixtures/scripts/booking-en.json')).slice(0, 2);
const REPLY = 'Thanks, I have noted that. An engineer can come out to you today, is that all right?';

// The provider floor does real provider work: every caller frame to the Deepgram simulator, one LLM
// request per utterance, the reply's audio from the Cartesia simulator. The simulators' own counters
// say whether that work happened; the caller says whether it heard answers.
describe('provider floor server', () => {
  let stack: SimStack;
  let floor: Awaited<ReturnType<typeof startProviderFloorServer>>;

  beforeAll(async () => {
    stack = await startSimStack({ script, cartesia: { charsPerSecond: 45 } });
    const e = stack.env;
    floor = await startProviderFloorServer({
      endpoints: {
        deepgramUrl: e.DEEPGRAM_BASE_URL as string,
        deepgramKey: e.DEEPGRAM_API_KEY as string,
        groqUrl: e.GROQ_BASE_URL as string,
        groqKey: e.GROQ_API_KEY as string,
        groqModel: 'llama-3.3-70b-versatile',
        cartesiaUrl: e.CARTESIA_BASE_URL as string,
        cartesiaKey: e.CARTESIA_API_KEY as string,
        cartesiaModel: 'sonic-3',
        cartesiaVoice: 'sim-voice',
        endpointingMs: 300,
      },
      greetingMs: 1000,
      replyText: REPLY,
      linesPerCall: script.length,
    });
  });
  afterAll(async () => {
    await floor?.close();
    await stack?.close();
  });

  it('answers each line through the STT, LLM and TTS simulators, then hangs up', async () => {
    const r = await runSimulatedCaller({ port: floor.port, script, answerTimeoutMs: 8000 });
    expect(r.answerToFirstAudioMs).toEqual(expect.any(Number));
    expect(r.turns).toHaveLength(script.length);
    for (const t of r.turns) expect(t.mouthToEarMs).toEqual(expect.any(Number));
    expect(r.completed).toBe(true);
    expect(r.end.reason).toBe('server-hangup');

    const stt = stack.deepgram.stats();
    expect(stt.streamsOpened).toBe(1);
    // Every caller frame went to the STT: at least the caller's speech, 16 bytes per ms at 8 kHz.
    const spokenBytes = script.length * 500 * 16;
    expect(stt.audioBytes).toBeGreaterThan(spokenBytes);
    expect(stack.groq.stats().requests).toBe(script.length);
    const tts = stack.cartesia.stats();
    expect(tts.connections).toBe(1);
    expect(tts.contextsOpened).toBeGreaterThanOrEqual(1);
    expect(tts.chunksSent).toBeGreaterThan(0);
  });
});

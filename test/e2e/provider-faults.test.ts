import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

// Providers fail during a real call: Groq answers 503 to everything and the Deepgram socket drops
// after the first utterance. The caller must not notice beyond a few hundred milliseconds.
describe('provider faults during a call', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;
  const traceDir = mkdtempSync(join(tmpdir(), 'callchart-trace-'));

  beforeAll(async () => {
    rig = await startRig({
      // Offline inspection on: every event and state change of the call goes to a JSONL trace.
      env: { INSPECT: 'jsonl', TRACE_DIR: traceDir },
      script: script('transfer-en'),
      sims: {
        groq: { faults: { kind: 'status', status: 503 } },
        deepgram: { faults: { dropAfterSegments: 1, maxDrops: 1 } },
      },
    });
    call = await rig.call();
  }, 90_000);
  afterAll(() => rig?.close());

  it('answers from the next LLM in the chain when the first fails', () => {
    const answered = call.turns.filter((t) => t.callerText !== '');
    expect(answered.length).toBe(2);
    for (const t of answered) expect(t.llmProvider).toBe('cerebras');
    expect(rig.stack.groq.stats().byStatus[503]).toBeGreaterThanOrEqual(2);
  });

  it('reopens a dropped speech-to-text socket and keeps transcribing', () => {
    expect(rig.stack.deepgram.stats().drops).toBe(1);
    expect(rig.stack.deepgram.stats().streamsOpened).toBeGreaterThanOrEqual(2);
    expect(call.turns.map((t) => t.callerText)).toContain('Can I speak to a real person please?');
  });

  it('hands the caller to a person when asked', () => {
    expect(call.summary.outcome).toBe('transferred');
    expect(call.turns.at(-1)?.agentText).toMatch(/put you through/);
  });
  it('writes the offline inspection trace of the call', async () => {
    await rig.close(); // flushes the trace file
    const [file] = readdirSync(traceDir);
    const lines = readFileSync(join(traceDir, file!), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const mine = lines.filter((l) => l.callId === call.uuid);
    expect(mine.some((l) => l.kind === 'event' && l.event === 'CALLER.FINAL')).toBe(true);
    expect(mine.some((l) => l.kind === 'state' && l.step === 'transfer')).toBe(true);
    expect(JSON.stringify(mine)).not.toContain('sim-key');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

// The Deepgram socket stays open after the caller's first line but answers nothing more (the
// simulator's stall fault, once). The server notices the silence while the caller speaks, redials,
// and sends the new socket the caller audio the old one never finalised: the second line is heard.
describe('speech-to-text liveness: a socket open but silent', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startRig({
      script: script('transfer-en'),
      sims: { deepgram: { faults: { stallAfterSegments: 1, maxStalls: 1 } } },
    });
    call = await rig.call();
  }, 120_000);
  afterAll(() => rig?.close());

  it('redials the silent socket and counts it', async () => {
    expect(rig.stack.deepgram.stats()).toMatchObject({ stalls: 1 });
    expect(rig.stack.deepgram.stats().streamsOpened).toBeGreaterThanOrEqual(2);
    const metrics = await rig.app.metrics.render();
    expect(metrics).toMatch(
      /callchart_provider_recoveries_total\{provider="stt",action="silent_socket"\} [1-9]/,
    );
    expect(metrics).toMatch(/callchart_provider_errors_total\{provider="stt",kind="silent_socket"\} [1-9]/);
  });

  it('loses no words: what the caller said to the silent socket is replayed and answered', async () => {
    expect(await rig.app.metrics.render()).toMatch(
      /callchart_provider_recoveries_total\{provider="stt",action="replayed"\} [1-9]/,
    );
    expect(call.turns.map((t) => t.callerText)).toContain('Can I speak to a real person please?');
    expect(call.summary.outcome).toBe('transferred');
  });
});

// Nothing is dropped while the greeting plays: a caller who talks over it is heard and answered.
describe('a caller who speaks during the greeting', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    const [first, ...rest] = script('transfer-en');
    const lines = [
      { ...(typeof first === 'string' ? { text: first } : first!), bargeInAfterMs: 300 },
      ...rest,
    ];
    rig = await startRig({ script: lines });
    call = await rig.call();
  }, 120_000);
  afterAll(() => rig?.close());

  it('stops the greeting, hears the words and answers them', () => {
    expect(call.caller.turns[0]?.bargeIn).toBe(true);
    expect(call.turns.map((t) => t.callerText)).toContain('My boiler has stopped working.');
    expect(call.turns.find((t) => t.callerText === 'My boiler has stopped working.')?.agentText).not.toBe('');
    expect(call.summary.outcome).toBe('transferred');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

type Rig = Awaited<ReturnType<typeof startRig>>;
type Call = Awaited<ReturnType<Rig['call']>>;

/** The value of one labelled series in the exposition text (0 when absent). */
function series(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The TTS error and recovery series, for a failure message. */
const tts = (metrics: string) =>
  metrics
    .split('\n')
    .filter((l) => l.includes('provider="tts"'))
    .join('\n');

const RESPOKEN = 'provider="tts",action="respoken"';
const APOLOGY = 'provider="tts",action="apology"';

// Cartesia fails in the middle of real calls, through its simulator's fault knobs (aimed at one reply by
// the words it starts with: "And your name?", the quote "Every job's different ..." and the postcode
// read-back "Thanks, that's N for ..."). The caller is
// never left with a reply lost: the socket is redialled, the rest is said on a fresh context, or the
// apology synthesised ahead plays; every call still books. Replies wait for the final transcript here
// (SPECULATIVE_REPLIES=0): a speculative reply dropped after its text reached the simulator would use
// up the fault aimed at it, and on a busy machine more of them are dropped. Speculation under TTS
// faults is what `npm run chaos` exercises.
const REPLIES_AFTER_THE_FINAL = { SPECULATIVE_REPLIES: '0' };
describe('text-to-speech liveness', () => {
  describe('refused handshakes, then the socket dropped mid-reply', () => {
    let rig: Rig;
    let call: Call;
    beforeAll(async () => {
      rig = await startRig({
        script: script('booking-en'),
        env: REPLIES_AFTER_THE_FINAL,
        sims: {
          cartesia: {
            refuseHandshakes: 2,
            faults: [{ kind: 'drop', afterChunks: 2, textStartsWith: 'Thanks' }],
          },
        },
      });
      call = await rig.call();
    }, 120_000);
    afterAll(() => rig?.close());

    it('redials a TTS socket that cannot be opened instead of handing the call over', () => {
      expect(rig.stack.cartesia.stats().handshakesRefused).toBe(2);
      expect(call.turns[0]?.agentText).toMatch(/Quick Fix Plumbing/); // the greeting was voiced
      expect(call.summary.outcome).toBe('booked');
    });

    it('says the rest of a reply cut off by a dropped socket on a fresh context', async () => {
      expect(rig.stack.cartesia.stats().contextsDropped).toBe(1);
      const metrics = await rig.app.metrics.render();
      expect(
        series(metrics, 'callchart_provider_recoveries_total', RESPOKEN),
        tts(metrics),
      ).toBeGreaterThanOrEqual(1);
      expect(call.turns.at(-1)?.agentText).toMatch(/^That's booked/);
      expect(call.booking).toBeTruthy();
    });
  });

  describe('stalls: no first audio, then a gap mid-reply', () => {
    let rig: Rig;
    let call: Call;
    beforeAll(async () => {
      rig = await startRig({
        script: script('booking-en'),
        env: REPLIES_AFTER_THE_FINAL,
        sims: {
          cartesia: {
            faults: [
              { kind: 'stall', textStartsWith: 'And your' },
              { kind: 'stall', afterChunks: 2, textStartsWith: 'Every' },
            ],
          },
        },
      });
      // The caller waits out a 2.5 s quiet before its next line, longer than the gap watchdog (1.5 s):
      // a caller who spoke into the stall would cancel the reply before the watchdog could fire.
      call = await rig.call({ turnGapMs: 2500 });
    }, 120_000);
    afterAll(() => rig?.close());

    it('retries a stalled context on a fresh one and counts it', async () => {
      const metrics = await rig.app.metrics.render();
      expect(
        series(metrics, 'callchart_provider_recoveries_total', RESPOKEN),
        tts(metrics),
      ).toBeGreaterThanOrEqual(2);
      expect(
        series(metrics, 'callchart_provider_errors_total', 'provider="tts",kind="first_audio_timeout"'),
      ).toBeGreaterThanOrEqual(1);
      expect(
        series(metrics, 'callchart_provider_errors_total', 'provider="tts",kind="gap_timeout"'),
      ).toBeGreaterThanOrEqual(1);
      // Counted as TTS errors, never as an LLM provider's.
      expect(metrics).not.toMatch(/callchart_provider_errors_total\{provider="(groq|cerebras|anthropic)/);
    });

    it('keeps the call going to the booking', () => {
      expect(call.summary.outcome).toBe('booked');
      expect(call.turns.map((t) => t.agentText)).toContain('And your name?');
    });
  });

  describe('a reply the TTS cannot voice even on a fresh context', () => {
    let rig: Rig;
    let call: Call;
    beforeAll(async () => {
      rig = await startRig({
        script: script('booking-en'),
        env: REPLIES_AFTER_THE_FINAL,
        sims: { cartesia: { faults: [{ kind: 'stall', textStartsWith: 'And your', times: 2 }] } },
      });
      call = await rig.call();
    }, 120_000);
    afterAll(() => rig?.close());

    it('plays the apology synthesised ahead instead, which asks the question again', async () => {
      const metrics = await rig.app.metrics.render();
      expect(
        series(metrics, 'callchart_provider_recoveries_total', APOLOGY),
        tts(metrics),
      ).toBeGreaterThanOrEqual(1);
      expect(call.turns.map((t) => t.agentText)).toContain(
        'Sorry, bear with me, I missed that. And your name?',
      );
      expect(call.summary.outcome).toBe('booked');
    });
  });
});

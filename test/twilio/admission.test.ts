import { afterEach, describe, expect, it } from 'vitest';
import { overflowLine } from '../../machines/phrases.js';
import { newSid, postSignedWebhook } from '../../sim/twilio/signing.js';
import { script } from '../e2e/rig.js';
import { AUTH_TOKEN, NUMBERS, startTwilioRig } from './rig.js';

type Rig = Awaited<ReturnType<typeof startTwilioRig>>;
const rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

async function rig(env: Record<string, string> = {}): Promise<Rig> {
  const r = await startTwilioRig({ script: script('booking-en'), env });
  rigs.push(r);
  return r;
}

/** One signed voice webhook, as Twilio posts it when a call rings. */
function ring(r: Rig, to: string, callSid = newSid('CA')) {
  const params = {
    AccountSid: r.twilio.accountSid,
    CallSid: callSid,
    CallStatus: 'ringing',
    From: '+447700900456',
    To: to,
  };
  return { callSid, reply: postSignedWebhook(AUTH_TOKEN, `${r.base}/voice/incoming`, params) };
}

async function refusedMetric(r: Rig, reason: string, entry: string): Promise<number> {
  const text = await r.app.metrics.render();
  const m = new RegExp(
    `^callchart_calls_refused_total\\{reason="${reason}",entry="${entry}"\\} (\\S+)$`,
    'm',
  ).exec(text);
  return m ? Number(m[1]) : 0;
}

describe('admission on the Twilio webhook', () => {
  it('over MAX_CALLS, Pro and Free callers hear the overflow line and the call ends', async () => {
    const r = await rig({ MAX_CALLS: '1' });
    // One call answered with <Stream>, its WebSocket not open yet: admitted, so it holds the one slot.
    const first = ring(r, NUMBERS.pro);
    expect((await first.reply).body).toContain('<Stream');
    expect(r.app.twilio?.pendingStreams()).toBe(1);

    for (const to of [NUMBERS.pro, NUMBERS.free]) {
      const refused = await r.twilio.placeCall({
        voiceUrl: `${r.base}/voice/incoming`,
        to,
        from: '+447700900789',
        script: [],
      });
      expect(refused.mode).toBe('gather');
      expect(refused.gather?.heard).toEqual([overflowLine('en')]);
      expect(refused.gather?.end).toBe('hangup');
    }
    expect(r.app.twilio?.activeFreeCalls()).toBe(0);
    expect(await refusedMetric(r, 'max-calls', 'twilio-stream')).toBe(1);
    expect(await refusedMetric(r, 'max-calls', 'twilio-free')).toBe(1);

    // The admitted call's stream never opens and Twilio reports it over: the slot is free again.
    await postSignedWebhook(AUTH_TOKEN, `${r.base}/voice/status`, {
      AccountSid: r.twilio.accountSid,
      CallSid: first.callSid,
      CallStatus: 'completed',
    });
    expect((await ring(r, NUMBERS.pro).reply).body).toContain('<Stream');
  }, 60_000);

  it('while draining, new calls hear the overflow line; a Free call in progress runs on and the drain waits for it', async () => {
    const r = await rig();
    const live = ring(r, NUMBERS.free);
    const greeting = (await live.reply).body;
    expect(greeting).toContain('<Gather');
    expect(r.app.twilio?.activeFreeCalls()).toBe(1);

    let drained = false;
    const stopping = r.app.shutdown({ drainMs: 60_000 }).then(() => {
      drained = true;
    });
    expect(r.app.draining).toBe(true);

    for (const to of [NUMBERS.pro, NUMBERS.free]) {
      const refused = await ring(r, to).reply;
      expect(refused.status).toBe(200);
      expect(refused.body).toContain(overflowLine('en'));
      expect(refused.body).toContain('<Hangup');
    }
    expect(await refusedMetric(r, 'draining', 'twilio-stream')).toBe(1);

    // The call that was already talking is still served.
    const turn = await postSignedWebhook(AUTH_TOKEN, `${r.base}/voice/gather`, {
      AccountSid: r.twilio.accountSid,
      CallSid: live.callSid,
      CallStatus: 'in-progress',
      SpeechResult: script('booking-en')[0]?.text ?? 'hello',
    });
    expect(turn.status).toBe(200);
    expect(turn.body).not.toContain(overflowLine('en'));
    expect(drained).toBe(false);

    // The caller hangs up: nothing is left, and the drain completes.
    await postSignedWebhook(AUTH_TOKEN, `${r.base}/voice/status`, {
      AccountSid: r.twilio.accountSid,
      CallSid: live.callSid,
      CallStatus: 'completed',
    });
    await stopping;
    expect(drained).toBe(true);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSid, postSignedWebhook } from '../../sim/twilio/signing.js';
import { readTwiml } from '../../sim/twilio/twiml-reader.js';
import { script } from '../e2e/rig.js';
import { callParams } from './bare-server.js';
import { AUTH_TOKEN, NUMBERS, startTwilioRig } from './rig.js';

// A Free-tier call lives between webhooks in a bounded map; it ends on the status callback, or when
// no webhook has come for the idle deadline.
describe('Free-tier call lifecycle', () => {
  let rig: Awaited<ReturnType<typeof startTwilioRig>>;
  beforeAll(async () => {
    rig = await startTwilioRig({ script: script('booking-en'), twilio: { freeIdleMs: 1500 } });
  });
  afterAll(() => rig?.close());

  const answer = async (callSid: string) => {
    const r = await postSignedWebhook(
      AUTH_TOKEN,
      `${rig.base}/voice/incoming`,
      callParams(callSid, { To: NUMBERS.free, Called: NUMBERS.free }),
    );
    expect(r.status).toBe(200);
    return readTwiml(r.body);
  };

  it('answers with the greeting in a speech <Gather>, and a retried webhook does not start a second call', async () => {
    const sid = newSid('CA');
    const [gather] = await answer(sid);
    expect(gather).toMatchObject({ verb: 'Gather', input: 'speech', language: 'en-GB' });
    expect(gather?.verb === 'Gather' && gather.say?.text).toMatch(/Warm Home Heating/);
    expect(rig.app.twilio?.activeFreeCalls()).toBe(1);
    await answer(sid);
    expect(rig.app.twilio?.activeFreeCalls()).toBe(1);
    await postSignedWebhook(AUTH_TOKEN, `${rig.base}/voice/status`, {
      ...callParams(sid),
      CallStatus: 'completed',
    });
    expect((await rig.ended(sid)).outcome).toBe('caller-hangup');
    expect(rig.app.twilio?.activeFreeCalls()).toBe(0);
  });

  it('ends a call nobody polls any more once its idle deadline passes', async () => {
    const sid = newSid('CA');
    await answer(sid);
    const summary = await rig.ended(sid);
    expect(summary.callId).toBe(sid);
    expect(rig.app.twilio?.activeFreeCalls()).toBe(0);
    const late = await postSignedWebhook(AUTH_TOKEN, `${rig.base}/voice/gather`, {
      ...callParams(sid),
      SpeechResult: 'hello?',
    });
    expect(readTwiml(late.body)).toEqual([{ verb: 'Hangup' }]);
  }, 20_000);
});

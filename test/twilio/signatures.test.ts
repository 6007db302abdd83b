import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { newSid, postSignedWebhook, twilioSignature } from '../../sim/twilio/signing.js';
import { readTwiml } from '../../sim/twilio/twiml-reader.js';
import { isValidTwilioSignature } from '../../src/twilio/signature.js';
import { captureLogger } from '../store/capture-logger.js';
import { callParams, startBareTwilioServer, TOKEN } from './bare-server.js';

describe('X-Twilio-Signature', () => {
  it('matches the worked examples computed independently', () => {
    const params = {
      AccountSid: 'AC00000000000000000000000000000001',
      ApiVersion: '2010-04-01',
      CallSid: 'CA00000000000000000000000000000002',
      CallStatus: 'ringing',
      Called: '+15005550006',
      Caller: '+15005550001',
      Direction: 'inbound',
      From: '+15005550001',
      To: '+15005550006',
    };
    const url = 'https://voice.example.test/twilio/voice';
    expect(isValidTwilioSignature(TOKEN, '4+rAnSeq+Etiu/Bpj98PZw7GVzU=', url, params)).toBe(true);
    expect(
      isValidTwilioSignature(
        TOKEN,
        'hEceLU+3uxREceTbnst2tZX61BU=',
        'wss://voice.example.test/twilio/media',
        {},
      ),
    ).toBe(true);
    expect(isValidTwilioSignature(TOKEN, '4+rAnSeq+Etiu/Bpj98PZw7GVzU=', url, { ...params, To: '+1' })).toBe(
      false,
    );
    expect(isValidTwilioSignature('', '4+rAnSeq+Etiu/Bpj98PZw7GVzU=', url, params)).toBe(false);
    expect(isValidTwilioSignature(TOKEN, undefined, url, params)).toBe(false);
  });
});

describe('signed webhooks and stream upgrades over real sockets', () => {
  const captured = captureLogger();
  let bare: Awaited<ReturnType<typeof startBareTwilioServer>>;
  let incoming: string;
  beforeAll(async () => {
    bare = await startBareTwilioServer(captured.log);
    incoming = `${bare.server.baseUrl}/voice/incoming`;
  });
  afterAll(() => bare.server.close());

  it('a valid signature passes and gets <Connect><Stream> with a token', async () => {
    const r = await postSignedWebhook(TOKEN, incoming, callParams(newSid('CA')));
    expect(r.status).toBe(200);
    const [stream] = readTwiml(r.body);
    expect(stream).toMatchObject({
      verb: 'Stream',
      url: `${bare.server.baseUrl.replace('http', 'ws')}/voice/stream`,
    });
    expect(stream?.verb === 'Stream' && stream.parameters.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a wrong token, a changed parameter, a wrong URL or no signature gets 403 and starts nothing', async () => {
    const params = callParams(newSid('CA'));
    const before = captured
      .lines()
      .filter((l) => l.msg === 'webhook signature missing or invalid; refused').length;
    expect((await postSignedWebhook(TOKEN, incoming, params, { token: 'another-token' })).status).toBe(403);
    const sig = twilioSignature(TOKEN, incoming, params);
    const tampered = await fetch(incoming, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
      body: new URLSearchParams({ ...params, From: '+447700900999' }).toString(),
    });
    expect(tampered.status).toBe(403);
    const elsewhere = await postSignedWebhook(TOKEN, incoming, params, {
      signatureUrl: 'https://attacker.example/voice/incoming',
    });
    expect(elsewhere.status).toBe(403);
    const unsigned = await fetch(incoming, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(unsigned.status).toBe(403);
    const after = captured
      .lines()
      .filter((l) => l.msg === 'webhook signature missing or invalid; refused').length;
    expect(after - before).toBe(4);
    expect(bare.calls).toHaveLength(0);
  });

  it('the stream upgrade needs a signature over the stream URL', async () => {
    const url = `${bare.server.baseUrl.replace('http', 'ws')}/voice/stream`;
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => {});
      });
    expect(await status({})).toBe(403);
    expect(await status({ 'x-twilio-signature': twilioSignature('wrong', url) })).toBe(403);
    expect(await status({ 'x-twilio-signature': twilioSignature(TOKEN, url.replace('ws:', 'http:')) })).toBe(
      403,
    );
    expect(await status({ 'x-twilio-signature': twilioSignature(TOKEN, url) })).toBe(101);
  });

  it('behind a TLS proxy the stream URL is the public wss:// one', async () => {
    const proxied = await startBareTwilioServer(captured.log, {
      publicBaseUrl: 'https://voice.example.com/',
    });
    try {
      const local = `http://127.0.0.1:${proxied.server.port}/voice/incoming`;
      const params = callParams(newSid('CA'));
      const r = await postSignedWebhook(TOKEN, local, params, {
        signatureUrl: 'https://voice.example.com/voice/incoming',
      });
      expect(r.status).toBe(200);
      expect(readTwiml(r.body)[0]).toMatchObject({ url: 'wss://voice.example.com/voice/stream' });
      expect((await postSignedWebhook(TOKEN, local, params)).status).toBe(403);
    } finally {
      await proxied.server.close();
    }
  });
});

describe('PUBLIC_NODE_URL: one of several nodes behind a load balancer', () => {
  it('names the node in the stream URL, and takes signatures for the shared URL or its own only', async () => {
    const { log } = captureLogger();
    const node = await startBareTwilioServer(log, {
      publicBaseUrl: 'https://voice.example.com',
      publicNodeUrl: 'https://node-a.voice.example.com',
    });
    try {
      const local = `http://127.0.0.1:${node.server.port}/voice/incoming`;
      const signedAs = (signatureUrl: string) =>
        postSignedWebhook(TOKEN, local, callParams(newSid('CA')), { signatureUrl });
      const answer = await signedAs('https://voice.example.com/voice/incoming');
      expect(answer.status).toBe(200);
      expect(readTwiml(answer.body)[0]).toMatchObject({ url: 'wss://node-a.voice.example.com/voice/stream' });
      expect((await signedAs('https://node-a.voice.example.com/voice/incoming')).status).toBe(200);
      // Another node's name, or the node's name on another path, is not ours.
      expect((await signedAs('https://node-b.voice.example.com/voice/incoming')).status).toBe(403);
      expect((await signedAs('https://node-a.voice.example.com/voice/gather')).status).toBe(403);
    } finally {
      await node.server.close();
    }
  });

  it('must be an origin too', async () => {
    const { log } = captureLogger();
    await expect(
      startBareTwilioServer(log, { publicNodeUrl: 'https://node-a.voice.example.com/x' }),
    ).rejects.toThrow(/PUBLIC_NODE_URL must be scheme:\/\/host/);
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('must be an origin: a path would make every signature fail, so start-up refuses it', async () => {
    const { log } = captureLogger();
    await expect(
      startBareTwilioServer(log, { publicBaseUrl: 'https://voice.example.com/callchart' }),
    ).rejects.toThrow(/PUBLIC_BASE_URL must be scheme:\/\/host/);
  });
});

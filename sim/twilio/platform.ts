import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from '../../src/http/listen.js';
import type { CallerTurn } from '../caller/caller.js';
import type { CallerLine } from '../caller/script.js';
import { type GatherConversationResult, runGatherConversation } from './gather-caller.js';
import { newSid, postSignedWebhook } from './signing.js';
import { runStreamConversation, type StreamConversationResult } from './stream-caller.js';
import type { TwilioStreamPeer } from './stream-peer.js';
import { readTwiml } from './twiml-reader.js';

export interface TwilioSimOptions {
  authToken: string;
  accountSid?: string;
  host?: string;
  port?: number;
}

export interface PlaceCallOptions {
  /** The number's voice webhook, e.g. https://voice.example.com/voice/incoming. */
  voiceUrl: string;
  /** The number's status callback; a completed status is posted there when the call ends. */
  statusUrl?: string;
  from: string;
  to: string;
  script: CallerLine[];
  turnGapMs?: number;
  answerTimeoutMs?: number;
  /** Free tier only: 1 = Polly and the caller speak in real time. */
  timeScale?: number;
  record?: boolean;
  /** Clip lookup (a load generator shares one set of buffers). */
  clipFor?: (line: CallerLine) => Buffer;
}

export interface TwilioCallResult {
  callSid: string;
  mode: 'stream' | 'gather';
  stream?: StreamConversationResult;
  gather?: GatherConversationResult;
  /** The caller's turns (stream mode). */
  turns: CallerTurn[];
  completed: boolean;
  /** Every URL Twilio requested for the call, in order: the voice webhook, <Gather> actions, the stream. */
  requested: string[];
}

export interface RestUpdate {
  callSid: string;
  twiml: string;
  dialed?: string;
}

export interface TwilioSim {
  /** REST API base URL (TWILIO_API_BASE_URL). */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Every accepted `calls(sid).update` request. */
  readonly updates: RestUpdate[];
  placeCall(opts: PlaceCallOptions): Promise<TwilioCallResult>;
  close(): Promise<void>;
}

const CALL_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
const MAX_BODY = 64 * 1024;

/**
 * A local Twilio: places calls on callchart the way Twilio does (signed webhooks, TwiML followed,
 * Media Stream opened) and serves the one REST endpoint callchart uses, live-call update, which
 * ends the stream and "dials" the number in the new TwiML.
 */
export async function startTwilioSim(opts: TwilioSimOptions): Promise<TwilioSim> {
  const accountSid = opts.accountSid ?? 'AC00000000000000000000000000000001';
  const live = new Map<string, { peer?: TwilioStreamPeer }>();
  const updates: RestUpdate[] = [];

  const server = createServer((req, res) => {
    void handleRest(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const m = CALL_PATH.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return json(404, { code: 20404, message: 'not found', status: 404 });
    const expected = `Basic ${Buffer.from(`${accountSid}:${opts.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected || m[1] !== accountSid) {
      return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) return json(413, { code: 0, message: 'too large', status: 413 });
      chunks.push(c as Buffer);
    }
    const callSid = m[2]!;
    const call = live.get(callSid);
    if (!call) return json(404, { code: 20404, message: `call ${callSid} not found`, status: 404 });
    const twiml = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('Twiml') ?? '';
    const verbs = readTwiml(twiml);
    const dial = verbs.find((v) => v.verb === 'Dial');
    updates.push({ callSid, twiml, ...(dial?.verb === 'Dial' ? { dialed: dial.number } : {}) });
    // New TwiML replaces <Connect><Stream>: Twilio stops the stream and runs it.
    call.peer?.hangup('transferred');
    json(200, { sid: callSid, account_sid: accountSid, status: 'in-progress' });
  }
  const port = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');

  async function placeCall(c: PlaceCallOptions): Promise<TwilioCallResult> {
    const entry: { peer?: TwilioStreamPeer } = {};
    return placeTwilioCall({ authToken: opts.authToken, accountSid }, c, {
      onCallSid: (sid) => live.set(sid, entry),
      onPeer: (peer) => {
        entry.peer = peer;
      },
      onEnded: (sid) => live.delete(sid),
    });
  }

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    accountSid,
    authToken: opts.authToken,
    updates,
    placeCall,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * One inbound call as Twilio places it: the signed voice webhook, then the TwiML followed (a Media
 * Stream, or speech <Gather> rounds), and a completed status callback at the end.
 */
export async function placeTwilioCall(
  account: { authToken: string; accountSid: string },
  c: PlaceCallOptions,
  hooks: {
    onCallSid?: (callSid: string) => void;
    onPeer?: (peer: TwilioStreamPeer) => void;
    onEnded?: (callSid: string) => void;
  } = {},
): Promise<TwilioCallResult> {
  const callSid = newSid('CA');
  const placedAt = performance.now();
  const params = {
    AccountSid: account.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'ringing',
    Called: c.to,
    Caller: c.from,
    Direction: 'inbound',
    From: c.from,
    To: c.to,
  };
  const requested: string[] = [];
  const post = async (url: string, p: Record<string, string>) => {
    requested.push(url);
    const r = await postSignedWebhook(account.authToken, url, p);
    if (r.status !== 200) throw new Error(`webhook ${url} answered ${r.status}`);
    return r.body;
  };
  hooks.onCallSid?.(callSid);
  try {
    const verbs = readTwiml(await post(c.voiceUrl, params));
    const stream = verbs.find((v) => v.verb === 'Stream');
    if (stream?.verb === 'Stream') {
      requested.push(stream.url);
      const result = await runStreamConversation({
        url: stream.url,
        parameters: stream.parameters,
        authToken: account.authToken,
        accountSid: account.accountSid,
        callSid,
        streamSid: newSid('MZ'),
        script: c.script,
        turnGapMs: c.turnGapMs ?? 700,
        answerTimeoutMs: c.answerTimeoutMs ?? 15_000,
        record: c.record ?? false,
        placedAt,
        ...(c.clipFor ? { clipFor: c.clipFor } : {}),
        ...(hooks.onPeer ? { onPeer: hooks.onPeer } : {}),
      });
      return {
        callSid,
        mode: 'stream',
        stream: result,
        turns: result.turns,
        completed: result.completed,
        requested,
      };
    }
    const gather = await runGatherConversation({
      first: verbs,
      script: c.script,
      params: { ...params, CallStatus: 'in-progress' },
      post,
      timeScale: c.timeScale ?? 1,
      ...(c.clipFor ? { clipFor: c.clipFor } : {}),
    });
    return { callSid, mode: 'gather', gather, turns: [], completed: gather.completed, requested };
  } finally {
    hooks.onEnded?.(callSid);
    if (c.statusUrl) {
      await postSignedWebhook(account.authToken, c.statusUrl, { ...params, CallStatus: 'completed' }).catch(
        () => {},
      );
    }
  }
}

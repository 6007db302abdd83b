import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { type Logger, maskPhone } from '../log.js';
import {
  AGI_MAX_ENV_LINES,
  type AgiCallFacts,
  type AgiEnvironment,
  callFactsFromEnvironment,
  parseEnvironmentLine,
  toAgiEnvironment,
} from './agi-environment.js';
import { AgiReplyParser } from './agi-reply.js';
import { formatAgiCommand } from './agi-words.js';
import type { CallMetadataRegistry } from './call-metadata-registry.js';
import { LineSplitter } from './line-splitter.js';

export interface FastAgiSessionOptions {
  registry: CallMetadataRegistry;
  log: Logger;
  /**
   * Also set VA_AUDIOSOCKET so the dialplan needs no hard-coded address. A function picks it per call
   * (WORKERS > 1: the worker the call was registered with).
   */
  audioSocketAddress?: string | ((uuid: string) => string | undefined);
  /** Whole-session bound. Asterisk itself never times out (docs/protocols/agi.md §4), so the server must. */
  timeoutMs: number;
  /** Bytes one session may send in all (default 64 KiB: a real one sends about 1 KiB). */
  maxSessionBytes?: number;
  /** Admission control: a refused call is not registered and gets VA_OUTCOME=overflow instead. */
  admit?: () => { admit: true } | { admit: false; reason: string };
}

/** A real session is an environment block (~1 KiB) and a few short replies. */
export const DEFAULT_MAX_SESSION_BYTES = 64 * 1024;

/** Channel variables this server sets (pattern 5.1). */
export const VA_UUID = 'VA_UUID';
export const VA_AUDIOSOCKET = 'VA_AUDIOSOCKET';
/** Set to "overflow" when the call is refused: the dialplan plays a busy message or routes elsewhere. */
export const VA_OUTCOME = 'VA_OUTCOME';

type State = 'environment' | 'commands' | 'finished';

/**
 * One FastAGI connection: read the environment block, register the call, and for pattern 5.1 hand the
 * UUID back with SET VARIABLE. A small explicit state machine driven by complete lines; every way out
 * (done, bad input, timeout, peer gone) goes through `finish`, which closes only this socket.
 */
export class FastAgiSession {
  private state: State = 'environment';
  private readonly splitter = new LineSplitter();
  private readonly vars = new Map<string, string>();
  private readonly replies = new AgiReplyParser();
  private readonly timer: NodeJS.Timeout;
  private readonly log: Logger;
  private facts: AgiCallFacts | undefined;
  private uuid: string | undefined;
  private pending: Array<[name: string, value: string]> = [];
  private current: [name: string, value: string] | undefined;
  private callerHungUp = false;
  /** Once Asterisk has VA_UUID the dialplan will use it, so the registration must stay. */
  private uuidHandedOver = false;
  private bytesReceived = 0;

  constructor(
    private readonly socket: Socket,
    private readonly opts: FastAgiSessionOptions,
  ) {
    this.log = opts.log.child({ peer: `${socket.remoteAddress}:${socket.remotePort}` });
    this.timer = setTimeout(() => this.fail('session timed out'), opts.timeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.finish('socket error', err));
    socket.on('close', () => this.onClose());
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    const cap = this.opts.maxSessionBytes ?? DEFAULT_MAX_SESSION_BYTES;
    if (this.bytesReceived > cap) {
      // Counted in every state: a peer that keeps writing after we finished is cut off too.
      if (this.state === 'finished') this.socket.destroy();
      else this.fail(`session sent more than ${cap} bytes`);
      return;
    }
    // After we close, Asterisk still writes "HANGUP" (docs/protocols/agi.md §4): not a caller hangup, just
    // ignore it.
    if (this.state === 'finished') return;
    let lines: string[];
    try {
      lines = this.splitter.push(chunk);
    } catch (err) {
      this.fail((err as Error).message);
      return;
    }
    for (const line of lines) {
      if (this.state === 'environment') this.onEnvironmentLine(line);
      else if (this.state === 'commands') this.onReplyLine(line);
      else return;
    }
  }

  private onEnvironmentLine(raw: string): void {
    // Asterisk never sends CR here; tolerate one so a hand-typed test session still parses.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line !== '') {
      try {
        const [key, value] = parseEnvironmentLine(line);
        this.vars.set(key, value);
      } catch (err) {
        this.fail((err as Error).message);
        return;
      }
      if (this.vars.size > AGI_MAX_ENV_LINES) this.fail('environment block too long');
      return;
    }
    let env: AgiEnvironment;
    try {
      env = toAgiEnvironment(this.vars);
    } catch (err) {
      this.fail((err as Error).message);
      return;
    }
    this.register(env);
  }

  private register(env: AgiEnvironment): void {
    let facts: AgiCallFacts;
    try {
      facts = callFactsFromEnvironment(env);
    } catch (err) {
      this.fail((err as Error).message); // e.g. format=slin17: a dialplan typo, said loudly
      return;
    }
    const verdict = this.opts.admit?.() ?? { admit: true };
    if (!verdict.admit) {
      this.log.warn(
        { reason: verdict.reason, did: facts.did, callerMasked: maskPhone(facts.callerId) },
        'call refused at admission: VA_OUTCOME=overflow',
      );
      this.pending = [[VA_OUTCOME, 'overflow']];
      this.state = 'commands';
      this.sendNext();
      return;
    }
    this.facts = facts;
    const uuid = facts.uuid ?? randomUUID();
    this.uuid = uuid;
    this.opts.registry.put(uuid, {
      did: facts.did,
      callerId: facts.callerId,
      channel: env.agi_channel,
      uniqueId: env.agi_uniqueid,
      source: facts.pattern === '5.2' ? 'fastagi-5.2' : 'fastagi-5.1',
      ...(facts.sampleRate !== undefined ? { sampleRate: facts.sampleRate } : {}),
    });
    this.log.info(
      {
        uuid,
        pattern: facts.pattern,
        did: facts.did,
        callerMasked: maskPhone(facts.callerId),
        channel: env.agi_channel,
      },
      'call metadata registered',
    );
    if (facts.pattern === '5.2') {
      // The dialplan already knows the UUID: nothing to send (docs/protocols/agi.md §5.2).
      this.finish('registered');
      return;
    }
    this.pending = [[VA_UUID, uuid]];
    const a = this.opts.audioSocketAddress;
    const address = typeof a === 'function' ? a(uuid) : a;
    if (address) this.pending.push([VA_AUDIOSOCKET, address]);
    this.state = 'commands';
    this.sendNext();
  }

  private sendNext(): void {
    this.current = this.pending.shift();
    if (!this.current) {
      this.finish(this.callerHungUp ? 'caller hung up during the session' : 'uuid handed over');
      return;
    }
    // LF only: a CR would become part of the value (docs/protocols/agi.md §3.1).
    this.socket.write(`${formatAgiCommand(['SET', 'VARIABLE', ...this.current])}\n`);
  }

  private onReplyLine(line: string): void {
    let reply: ReturnType<AgiReplyParser['push']>;
    try {
      reply = this.replies.push(line);
    } catch (err) {
      this.fail((err as Error).message);
      return;
    }
    if (!reply) return; // inside a multi-line 520 block
    if (reply.kind === 'hangup') {
      // The caller left mid-session; SET VARIABLE still works on a dead channel, so carry on.
      this.callerHungUp = true;
      return;
    }
    const name = this.current?.[0];
    if (reply.kind === 'success' && reply.result === 1) {
      if (name === VA_UUID) this.uuidHandedOver = true;
      this.sendNext();
      return;
    }
    const detail = reply.kind === 'failure' ? `${reply.code} ${reply.text}` : reply.line;
    this.log.warn({ uuid: this.uuid, variable: name, reply: detail }, 'SET VARIABLE refused');
    this.forgetUnclaimedUuid();
    this.finish('command refused');
  }

  private fail(reason: string): void {
    if (this.state === 'finished') return;
    this.log.warn({ reason, state: this.state, uuid: this.uuid }, 'FastAGI session dropped');
    this.forgetUnclaimedUuid();
    this.state = 'finished';
    clearTimeout(this.timer);
    this.socket.destroy();
  }

  private finish(outcome: string, err?: Error): void {
    if (this.state === 'finished') return;
    if (err) {
      this.log.warn({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, outcome);
    } else this.log.debug({ uuid: this.uuid, outcome }, 'FastAGI session finished');
    this.state = 'finished';
    clearTimeout(this.timer);
    // Half-close: Asterisk reads EOF, writes its trailing HANGUP (ignored above) and closes its side.
    this.socket.end();
    this.socket.setTimeout(this.opts.timeoutMs, () => this.socket.destroy());
  }

  private onClose(): void {
    clearTimeout(this.timer);
    if (this.state !== 'finished') {
      this.state = 'finished';
      this.log.warn({ uuid: this.uuid }, 'Asterisk closed the FastAGI connection early');
      this.forgetUnclaimedUuid();
    }
  }

  /** A 5.1 UUID the dialplan never received can never be claimed: drop it now rather than at TTL. */
  private forgetUnclaimedUuid(): void {
    if (this.uuid && this.facts?.pattern === '5.1' && !this.uuidHandedOver)
      this.opts.registry.delete(this.uuid);
  }
}

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { callFactsFromEnvironment, declaredFormat, toAgiEnvironment } from '../../src/agi/agi-environment.js';
import { CallMetadataRegistry } from '../../src/agi/call-metadata-registry.js';
import { FrameParser } from '../../src/transports/audiosocket/frame-parser.js';
import { serializeFrame } from '../../src/transports/audiosocket/frame-serializer.js';
import { audioSocketRig, waitFor } from './harness.js';

const { start, peer } = audioSocketRig();

describe('the dialplan declares the audio format', () => {
  it('reads format=slin16 from the FastAGI arguments, wherever it is, and refuses an unknown one', () => {
    expect(declaredFormat(['02012345678', 'format=slin16', '+447700900123'])).toEqual({
      sampleRate: 16000,
      rest: ['02012345678', '+447700900123'],
    });
    expect(declaredFormat(['format=slin'])).toEqual({ sampleRate: 8000, rest: [] });
    expect(() => declaredFormat(['format=ulaw'])).toThrow(/format must be one of/);
    const env = toAgiEnvironment(
      new Map([
        ['agi_channel', 'PJSIP/x'],
        ['agi_uniqueid', '1.1'],
        ['agi_arg_1', '02012345678'],
        ['agi_arg_2', '+447700900123'],
        ['agi_arg_3', 'format=slin16'],
      ]),
    );
    expect(callFactsFromEnvironment(env)).toMatchObject({
      pattern: '5.1',
      did: '02012345678',
      callerId: '+447700900123',
      sampleRate: 16000,
    });
  });

  it('starts the call at the declared rate before any caller frame arrives', async () => {
    const registry = new CallMetadataRegistry();
    const uuid = '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';
    registry.put(uuid, { did: '1', callerId: '', source: 'fastagi-5.1', sampleRate: 16000 });
    const { server, calls } = await start({ declaredSampleRate: (id) => registry.peek(id)?.sampleRate });
    const kinds: string[] = [];
    const caller = await peer({
      port: server.port,
      uuid,
      sampleRate: 16000,
      silentStartMs: 500,
      onServerFrame: (f) => kinds.push(f.kind === 'audio' ? `${f.sampleRate}/${f.payload.length}` : f.kind),
    });
    await waitFor(() => kinds.length >= 5, 'agent frames');
    expect(caller.stats().framesSent).toBe(0); // nothing from the caller yet: the declaration decided
    expect(calls[0]?.format).toEqual({ encoding: 'slin', sampleRate: 16000, frameBytes: 640 });
    expect(new Set(kinds)).toEqual(new Set(['16000/640']));
    registry.close();
  });
});

describe('a caller rate that changes mid-call', () => {
  it('ends the call with a hangup frame and a log line; the odd frame never reaches the runtime', async () => {
    const { server, calls, causes, lines } = await start();
    const uuid = '7a1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';
    const frames: number[] = [];
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    const parser = new FrameParser();
    let hungUp = false;
    socket.on('data', (chunk: Buffer) => {
      for (const f of parser.push(chunk).frames) if (f.kind === 'hangup') hungUp = true;
    });
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(serializeFrame({ kind: 'uuid', uuid }));
    await waitFor(() => calls.length === 1, 'the call');
    calls[0]!.on('audio', (f) => frames.push(f.length));
    socket.write(serializeFrame({ kind: 'audio', sampleRate: 8000, payload: Buffer.alloc(320) }));
    await waitFor(() => frames.length === 1, 'the 8 kHz frame');
    socket.write(serializeFrame({ kind: 'audio', sampleRate: 16000, payload: Buffer.alloc(640) }));
    await waitFor(() => hungUp, 'the hangup frame');
    socket.destroy();
    expect(frames).toEqual([320]);
    expect(causes.get(uuid)).toEqual({
      cause: 'agent',
      detail: 'caller audio changed from 8000 to 16000 Hz',
    });
    expect(
      lines.find((l) => l.msg === 'caller audio changed sample rate mid-call; ending the call'),
    ).toMatchObject({
      from: 8000,
      to: 16000,
      formatSource: 'first-frame',
    });
  });

  it('assumes the default rate only after waiting, and says so', async () => {
    const { server, calls, lines } = await start({ firstAudioWaitMs: 200 });
    await peer({ port: server.port, suppressSilence: true });
    await waitFor(() => calls.length === 1, 'the call');
    const format = await calls[0]!.formatReady;
    expect(format.sampleRate).toBe(8000);
    expect(lines.some((l) => /no caller audio and no declared format/.test(l.msg))).toBe(true);
  });
});

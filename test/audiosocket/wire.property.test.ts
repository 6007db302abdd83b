import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readServerFrame } from '../../sim/asterisk/peer.js';
import {
  WireReader,
  wireAudioKind,
  wireDtmfFrame,
  wireFrame,
  wireSilenceFrame,
  wireUuidFrame,
} from '../../sim/asterisk/wire.js';
import { FrameParser } from '../../src/transports/audiosocket/frame-parser.js';
import { serializeFrame } from '../../src/transports/audiosocket/frame-serializer.js';
import { type Frame, SAMPLE_RATES } from '../../src/transports/audiosocket/frames.js';
import { chunk, frameArb } from './arbitraries.js';

/**
 * The simulated Asterisk's codec (sim/asterisk/wire.ts) and the product's (FrameParser,
 * serializeFrame) are written separately; each must read what the other writes, at any TCP chunking.
 */
const cutsArb = fc.array(fc.nat(), { maxLength: 12 });

/** What the simulated Asterisk sends: the UUID, DTMF, and audio (speech or cached silence). */
const peerFrameArb: fc.Arbitrary<{ bytes: Buffer; expected: Frame }> = fc.oneof(
  fc.uuid().map((uuid) => ({
    bytes: wireUuidFrame(uuid.toUpperCase()),
    expected: { kind: 'uuid', uuid: uuid.toLowerCase() } as Frame,
  })),
  fc.constantFrom(...'0123456789*#ABCD').map((digit) => ({
    bytes: wireDtmfFrame(digit),
    expected: { kind: 'dtmf', digit } as Frame,
  })),
  fc
    .record({ sampleRate: fc.constantFrom(...SAMPLE_RATES), samples: fc.integer({ min: 1, max: 400 }) })
    .chain(({ sampleRate, samples }) =>
      fc.oneof(
        fc.uint8Array({ minLength: samples * 2, maxLength: samples * 2 }).map((bytes) => {
          const payload = Buffer.from(bytes);
          return {
            bytes: wireFrame(wireAudioKind(sampleRate), payload),
            expected: { kind: 'audio', sampleRate, payload } as Frame,
          };
        }),
        fc.constant({
          bytes: wireSilenceFrame(sampleRate, samples * 2),
          expected: { kind: 'audio', sampleRate, payload: Buffer.alloc(samples * 2) } as Frame,
        }),
      ),
    ),
);

describe('the simulated Asterisk codec against the product codec', () => {
  it('the product parser reads every frame the simulated Asterisk writes', () => {
    fc.assert(
      fc.property(fc.array(peerFrameArb, { maxLength: 20 }), cutsArb, (frames, cuts) => {
        const parser = new FrameParser();
        const got: Frame[] = [];
        for (const c of chunk(Buffer.concat(frames.map((f) => f.bytes)), cuts)) {
          const r = parser.push(c);
          expect(r.error).toBeUndefined();
          got.push(...r.frames);
        }
        expect(parser.end()).toBeNull();
        expect(got).toEqual(frames.map((f) => f.expected));
      }),
    );
  });

  it('the simulated Asterisk reads every frame the product writes, accepting only hang-up and audio', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 20 }), cutsArb, (frames, cuts) => {
        const reader = new WireReader();
        const raw = chunk(Buffer.concat(frames.map(serializeFrame)), cuts).flatMap((c) => reader.push(c));
        expect(raw).toHaveLength(frames.length);
        raw.forEach(({ kind, payload }, i) => {
          const sent = frames[i]!;
          const read = readServerFrame(kind, payload);
          if (sent.kind === 'audio' || sent.kind === 'hangup') expect(read).toEqual({ frame: sent });
          else expect(read).toMatchObject({ violation: { code: 'kind-not-allowed' } });
        });
      }),
    );
  });

  it('both split any header stream at the same frame boundaries, whatever the kind', () => {
    const anyFrame = fc.record({
      kind: fc.integer({ min: 0, max: 255 }),
      payload: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.array(anyFrame, { maxLength: 20 }), cutsArb, (frames, cuts) => {
        const bytes = Buffer.concat(frames.map((f) => wireFrame(f.kind, f.payload)));
        const reader = new WireReader();
        const raw = chunk(bytes, cuts).flatMap((c) => reader.push(c));
        expect(raw.map((f) => [f.kind, Buffer.from(f.payload)])).toEqual(
          frames.map((f) => [f.kind, Buffer.from(f.payload)]),
        );
        // The product parser, lenient, yields one frame or one skipped violation per frame sent.
        const parser = new FrameParser({ lenient: true });
        let seen = 0;
        for (const c of chunk(bytes, cuts)) {
          const r = parser.push(c);
          seen += r.frames.length + (r.ignored?.length ?? 0);
        }
        expect(seen).toBe(frames.length);
      }),
    );
  });
});

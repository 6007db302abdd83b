import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AsteriskPeer } from '../../sim/asterisk/peer.js';
import type { AudioSocketCall } from '../../src/transports/audiosocket/call.js';
import { type AudioSocketServer, startAudioSocketServer } from '../../src/transports/audiosocket/server.js';
import type { HangupCause } from '../../src/transports/transport.js';
import { FakeClock } from './fake-clock.js';
import { waitFor } from './harness.js';

let server: AudioSocketServer | undefined;
let peer: AsteriskPeer | undefined;
afterEach(async () => {
  peer?.hangup();
  await server?.close();
});

describe('a peer that stops reading', () => {
  it('gets frames dropped at a bounded backlog, then is cut off', async () => {
    const clock = new FakeClock();
    const maxWriteBufferBytes = 64 * 1024;
    let call: AudioSocketCall | undefined;
    let cause: HangupCause | undefined;
    server = await startAudioSocketServer({
      port: 0,
      clock, // the server's frame clock runs as fast as the test advances it
      defaultSampleRate: 48000, // 1920-byte frames fill the kernel buffers quickly
      maxWriteBufferBytes,
      stallCloseMs: 2000,
      onCall(c) {
        call = c;
        c.on('closed', (why) => (cause = why));
      },
    });
    // Legacy, silent caller: no inactivity rule and no caller frames to muddle the picture.
    peer = await AsteriskPeer.connect({ port: server.port, suppressSilence: true, legacy: true });
    await waitFor(() => call !== undefined, 'the call');
    peer.pauseReading();

    let maxBacklog = 0;
    let firstDropAt: number | null = null;
    for (let step = 0; step < 50_000 && cause === undefined; step++) {
      clock.advance(20);
      if (firstDropAt === null && call!.stats().droppedFrames > 0) firstDropAt = clock.now();
      maxBacklog = Math.max(maxBacklog, call!.writeBacklogBytes());
      if (step % 10 === 0) await tick(); // let libuv move bytes into the (full) kernel buffers
    }

    expect(firstDropAt).not.toBeNull();
    expect(cause).toBe('transport-error');
    // Cut off 2 s (simulated) after dropping began, not before and not much later.
    expect(clock.now() - firstDropAt!).toBeGreaterThanOrEqual(2000);
    expect(clock.now() - firstDropAt!).toBeLessThanOrEqual(2000 + 20 * 11);
    // Memory stayed bounded: never more than the limit plus the one frame that crossed it.
    expect(maxBacklog).toBeLessThanOrEqual(maxWriteBufferBytes + 1923);
    expect(call!.stats().droppedFrames).toBeGreaterThan(50);
  });
});

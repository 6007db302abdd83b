import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Recordings } from '../../src/dashboard/recordings.js';
import { silentLogger } from '../../src/log.js';
import { MediaStreamCall } from '../../src/transports/twilio/media-stream-call.js';

// With RECORDINGS_DIR set, every call's transport is wrapped for recording: the wrapper must keep the
// Twilio line's settings, or a Pro call would get barge-in and a transfer would turn into a hang-up.
describe('recording wrapper around a Twilio call', () => {
  it('passes bargeIn and transferOnHangup through', async () => {
    const transfer = vi.fn(async () => {});
    const inner = new MediaStreamCall({
      callId: 'CA0123',
      streamSid: 'MZ1',
      bargeIn: false,
      transfer,
      log: silentLogger,
      socket: { send: () => {}, backlogBytes: () => 0, close: () => {} },
    });
    const wrapped = new Recordings(mkdtempSync(join(tmpdir(), 'callchart-rec-')), 1, silentLogger).record(
      inner,
    );
    expect(wrapped).not.toBe(inner);
    expect(wrapped.bargeIn).toBe(false);
    wrapped.transferOnHangup?.('+442079460999');
    wrapped.hangup();
    await vi.waitFor(() => expect(transfer).toHaveBeenCalledWith('+442079460999'));
  });
});

import { describe, expect, it } from 'vitest';
import { type AudioOutputCounters, Metrics } from '../../src/metrics/metrics.js';
import { parseExposition, sample } from './exposition.js';

const ZERO: AudioOutputCounters = {
  framesSent: 0,
  agentFrames: 0,
  underruns: 0,
  lateFrames: 0,
  resyncs: 0,
  droppedFrames: 0,
};

describe('Metrics.trackAudioOutput', () => {
  it('exports the pacer counters as they stand at each scrape, without accumulating', async () => {
    const m = new Metrics({ defaultMetrics: false });
    let now: AudioOutputCounters = { ...ZERO, framesSent: 500, agentFrames: 120, underruns: 1 };
    let reads = 0;
    m.trackAudioOutput(() => {
      reads++;
      return now;
    });
    expect(reads).toBe(0); // nothing is read until a scrape

    let e = parseExposition(await m.render());
    expect(e.types.get('callchart_audiosocket_frames_sent_total')).toBe('counter');
    expect(sample(e, 'callchart_audiosocket_frames_sent_total')).toBe(500);
    expect(sample(e, 'callchart_audiosocket_agent_frames_total')).toBe(120);
    expect(sample(e, 'callchart_audiosocket_underruns_total')).toBe(1);
    expect(sample(e, 'callchart_audiosocket_dropped_frames_total')).toBe(0);

    now = { ...now, framesSent: 750, lateFrames: 3, resyncs: 2, droppedFrames: 4 };
    e = parseExposition(await m.render());
    expect(sample(e, 'callchart_audiosocket_frames_sent_total')).toBe(750);
    expect(sample(e, 'callchart_audiosocket_underruns_total')).toBe(1);
    expect(sample(e, 'callchart_audiosocket_late_frames_total')).toBe(3);
    expect(sample(e, 'callchart_audiosocket_resyncs_total')).toBe(2);
    expect(sample(e, 'callchart_audiosocket_dropped_frames_total')).toBe(4);
  });
});

import type { AudioOutputCounters } from '../src/metrics/metrics.js';

const NAMES: Record<keyof AudioOutputCounters, string> = {
  framesSent: 'callchart_audiosocket_frames_sent_total',
  agentFrames: 'callchart_audiosocket_agent_frames_total',
  underruns: 'callchart_audiosocket_underruns_total',
  lateFrames: 'callchart_audiosocket_late_frames_total',
  resyncs: 'callchart_audiosocket_resyncs_total',
  droppedFrames: 'callchart_audiosocket_dropped_frames_total',
};

/** The AudioSocket pacer counters from a /metrics scrape (unlabelled samples); null when absent. */
export function pacerCountersFromExposition(text: string): AudioOutputCounters | null {
  const out = {} as AudioOutputCounters;
  for (const [key, name] of Object.entries(NAMES) as [keyof AudioOutputCounters, string][]) {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!m) return null;
    out[key] = Number(m[1]);
  }
  return out;
}

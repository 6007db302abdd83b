import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rmsS16le, VOICED_RMS } from '../../src/audio/energy.js';
import { bytesPerMs } from '../../src/audio/pcm.js';
import { type Clock, systemClock } from '../../src/clock.js';
import type { FrameScheduler } from '../../src/transports/audiosocket/frame-scheduler.js';
import type { SampleRate } from '../../src/transports/audiosocket/frames.js';
import { AsteriskPeer, type PeerEnd } from '../asterisk/peer.js';
import { agentOnsets, agentStoppedAt, answersBetween, heardAnswer, pausesAnswered } from './answers.js';
import { lineAudio } from './line-audio.js';
import { type CallerLine, CLIP_DIR, clipName } from './script.js';

export interface SimulatedCallerOptions {
  port: number;
  host?: string;
  script: CallerLine[];
  uuid?: string;
  sampleRate?: SampleRate;
  scheduler?: FrameScheduler;
  clock?: Clock;
  /** Play the agent's own audio back into the line, attenuated and delayed (a phone without AEC). */
  echo?: { gainDb: number; delayMs: number };
  /** A received frame above this RMS counts as the agent speaking. */
  voicedRms?: number;
  /** How long the agent must have been quiet before the caller takes its turn. */
  turnGapMs?: number;
  /** Give up on a turn (and the call) if the agent says nothing for this long. */
  answerTimeoutMs?: number;
  /** Keep both directions for a recording. */
  record?: boolean;
  /** The peer sends nothing for this long after the UUID (see AsteriskPeerOptions.silentStartMs). */
  silentStartMs?: number;
  /** Clip lookup (a line, or one part of a line said in parts); defaults to the committed fixtures. */
  clipFor?: (line: CallerLine) => Buffer;
  /** Told when line `index` (0-based) has been said in full (a moment to inject a fault at). */
  onLineSaid?: (index: number) => void;
}

/** One caller turn as measured on the wire. */
export interface CallerTurn {
  line: string;
  bargeIn: boolean;
  /** From the caller's last voiced frame to the first voiced agent frame after it. */
  mouthToEarMs: number | null;
  /** Barge-in only: from the caller starting to talk over the agent to the agent's last voiced frame. */
  agentStopMs: number | null;
  /** Mid-sentence pauses in the line (lines said in parts). */
  pauses: number;
  /** Of those, how many the agent answered: it started talking before the sentence was over. */
  pausesAnswered: number;
  /** Separate agent answers from the start of this line to the start of the next (or the call's end). */
  answers: number;
  /** Agent voiced frames that arrived while this line was being said (clock ms window). */
  agentVoicedWhileSpeaking: number;
}

export interface CallerResult {
  uuid: string;
  turns: CallerTurn[];
  end: PeerEnd;
  /** Connect to the first voiced agent frame (the greeting). */
  answerToFirstAudioMs: number | null;
  /** Arrival time of every voiced agent frame (clock ms). */
  agentVoicedAt: number[];
  /** Longest gap between consecutive server frames: the pacer must never stop. */
  maxGapMs: number;
  /** Frame inter-arrival times minus 20 ms, absolute, for a jitter figure. */
  jitterMs: number[];
  agentAudio: Buffer;
  callerAudio: Buffer;
  durationMs: number;
  completed: boolean;
  /** Clock time the caller connected (agentVoicedAt and `spoken` are on the same clock). */
  startedAt: number;
  /** Each line said: when its audio started and when its voice ended (clock ms). */
  spoken: { startAt: number; voiceEndAt: number }[];
}

const FRAME_MS = 20;

/** Loads a committed 8 kHz clip for a line (16 kHz calls get it sample-doubled: a test caller, not a codec). */
export function fixtureClip(line: CallerLine, sampleRate: SampleRate = 8000): Buffer {
  const pcm = readFileSync(fileURLToPath(new URL(clipName(line), CLIP_DIR)));
  if (sampleRate === 8000) return pcm;
  const factor = sampleRate / 8000;
  const out = Buffer.alloc(pcm.length * factor);
  for (let i = 0; i < pcm.length / 2; i++) {
    const s = pcm.readInt16LE(i * 2);
    for (let k = 0; k < factor; k++) out.writeInt16LE(s, (i * factor + k) * 2);
  }
  return out;
}

/**
 * ms from the end of the last voiced frame to the end of the clip, with frames cut from the start
 * exactly as the peer sends them, so "last voiced frame" is the frame the server saw.
 */
export function trailingSilenceMs(pcm: Buffer, sampleRate: number, voicedRms: number): number {
  const frame = bytesPerMs(sampleRate) * FRAME_MS;
  let lastVoicedEnd = 0;
  for (let start = 0; start < pcm.length; start += frame) {
    const end = Math.min(pcm.length, start + frame);
    if (rmsS16le(pcm, start, end) > voicedRms) lastVoicedEnd = end;
  }
  // The last frame goes out at the tick when saidAll resolves; each earlier frame one tick before.
  const framesAfter = Math.ceil((pcm.length - lastVoicedEnd) / frame);
  return framesAfter * FRAME_MS;
}

/**
 * A caller that dials in over a real AudioSocket connection like Asterisk (UUID, 20 ms frames in real
 * time), speaks its script as real audio, waits for the agent like a person would (or interrupts on
 * cue), and measures each turn on the wire.
 */
export async function runSimulatedCaller(opts: SimulatedCallerOptions): Promise<CallerResult> {
  const clock = opts.scheduler?.clock ?? opts.clock ?? systemClock;
  const sampleRate = opts.sampleRate ?? 8000;
  const voicedRms = opts.voicedRms ?? VOICED_RMS;
  const turnGapMs = opts.turnGapMs ?? 700;
  const answerTimeoutMs = opts.answerTimeoutMs ?? 15_000;
  const clipFor = opts.clipFor ?? ((l: CallerLine) => fixtureClip(l, sampleRate));
  const echoDelayFrames = opts.echo ? Math.max(1, Math.round(opts.echo.delayMs / FRAME_MS)) : 0;
  const echoGain = opts.echo ? 10 ** (opts.echo.gainDb / 20) : 0;
  const echoLine: Buffer[] = [];

  // Agent speech as heard: time of every voiced frame, and waiters for speech start / silence.
  let lastAgentVoicedAt: number | null = null;
  const agentVoicedAt: number[] = [];
  let lastArrival: number | null = null;
  let maxGapMs = 0;
  const jitterMs: number[] = [];
  let firstVoicedAt: number | null = null;
  /** Unvoiced agent frames received since the last voiced one (silence fill counts, a stall does not). */
  let quietFrames = 0;
  let voicedListener: ((at: number) => void) | null = null;

  const startedAt = clock.now();
  const peer = await AsteriskPeer.connect({
    port: opts.port,
    host: opts.host,
    uuid: opts.uuid,
    sampleRate,
    scheduler: opts.scheduler,
    clock,
    recordReceived: opts.record ?? false,
    recordSent: opts.record ?? false,
    recordArrivals: false,
    silentStartMs: opts.silentStartMs,
    outgoingFilter: opts.echo
      ? (payload) => {
          const echo = echoLine.length >= echoDelayFrames ? echoLine.shift() : undefined;
          if (echo) mixInto(payload, echo, echoGain);
        }
      : undefined,
    onServerFrame: (frame, at) => {
      if (lastArrival !== null) {
        const gap = at - lastArrival;
        maxGapMs = Math.max(maxGapMs, gap);
        jitterMs.push(Math.abs(gap - FRAME_MS));
      }
      lastArrival = at;
      if (frame.kind !== 'audio') return;
      if (opts.echo) echoLine.push(frame.payload);
      quietFrames++;
      if (rmsS16le(frame.payload) > voicedRms) {
        quietFrames = 0;
        agentVoicedAt.push(at);
        lastAgentVoicedAt = at;
        firstVoicedAt ??= at;
        voicedListener?.(at);
      }
    },
  });

  let ended = false;
  void peer.ended.then(() => {
    ended = true;
  });

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  /** Resolves at the first voiced agent frame after `since`, or null on timeout / hang-up. */
  const nextAgentVoice = (since: number, timeoutMs: number) =>
    new Promise<number | null>((resolve) => {
      if (lastAgentVoicedAt !== null && lastAgentVoicedAt > since) return resolve(lastAgentVoicedAt);
      const timer = setTimeout(() => done(null), timeoutMs);
      const done = (v: number | null) => {
        clearTimeout(timer);
        voicedListener = null;
        resolve(v);
      };
      voicedListener = (at) => {
        if (at > since) done(at);
      };
      void peer.ended.then(() => done(null));
    });
  /**
   * When the agent's answer to a line whose voice ended at `lastVoiced` became audible: its first voiced
   * frame after that instant. The answer may already have started while the line's trailing silence was
   * still being sent, so it is looked up among the frames heard, not only waited for. If the agent was
   * still talking when the caller's voice ended (a line with no barge-in), that reply is not the answer:
   * the answer is the next voice after the frames heard so far.
   */
  const answerAfter = (lastVoiced: number) => {
    const heard = heardAnswer(agentVoicedAt, lastVoiced);
    if (heard === 'talking-through')
      return nextAgentVoice(Math.max(lastVoiced, lastAgentVoicedAt ?? 0), answerTimeoutMs);
    return heard !== undefined ? Promise.resolve(heard) : nextAgentVoice(lastVoiced, answerTimeoutMs);
  };

  /**
   * Waits until the agent has been quiet for turnGapMs (it finished its sentence). Quiet is counted
   * in frames heard, not wall time: a frame that arrives late on a busy machine is not silence.
   */
  const agentQuiet = async (deadline: number) => {
    while (!ended && clock.now() < deadline) {
      const quietFor = Math.min(clock.now() - (lastAgentVoicedAt ?? startedAt), quietFrames * FRAME_MS);
      if (quietFor >= turnGapMs) return true;
      await sleep(Math.max(5, Math.min(FRAME_MS, turnGapMs - quietFor)));
    }
    return false;
  };

  const turns: CallerTurn[] = [];
  /** Clock times of each spoken line: its start, its pauses, the end of its voice. */
  const spoken: { startAt: number; pauses: { startAt: number }[]; voiceEndAt: number }[] = [];
  let completed = false;
  let heardSince = startedAt;
  try {
    // The greeting.
    if ((await nextAgentVoice(startedAt, answerTimeoutMs)) === null) throw new Error('no greeting');
    for (const line of opts.script) {
      const { pcm: clip, pauses } = lineAudio(line, clipFor, sampleRate, voicedRms);
      let agentStopMs: number | null = null;
      let speechStart: number;
      if (line.bargeInAfterMs !== undefined) {
        // Interrupt: wait for the agent's reply to become audible, then talk over it.
        const replyStart = await nextAgentVoice(heardSince, answerTimeoutMs);
        if (replyStart === null) break;
        await sleep(line.bargeInAfterMs);
        speechStart = clock.now();
        peer.say(clip);
      } else {
        if (!(await agentQuiet(clock.now() + answerTimeoutMs))) break;
        if (line.pauseMs) await sleep(line.pauseMs);
        speechStart = clock.now();
        peer.say(clip);
      }
      await peer.saidAll();
      if (ended) break;
      opts.onLineSaid?.(spoken.length);
      const trailingMs = trailingSilenceMs(clip, sampleRate, voicedRms);
      const lastVoiced = clock.now() - trailingMs;
      // From the audio itself (the clip's voiced length), not from when sending finished: a busy
      // event loop can only make the real end later, so this never blames the agent wrongly.
      const voiceEndAt = speechStart + clip.length / ((sampleRate / 1000) * 2) - trailingMs;
      spoken.push({
        startAt: speechStart,
        pauses: pauses.map((p) => ({ startAt: speechStart + p.startMs })),
        voiceEndAt,
      });
      if (line.bargeInAfterMs !== undefined) {
        agentStopMs = agentStoppedAt(agentVoicedAt, speechStart, voiceEndAt) - speechStart;
      }
      const answer = await answerAfter(lastVoiced);
      turns.push({
        line: line.text,
        bargeIn: line.bargeInAfterMs !== undefined,
        mouthToEarMs: answer === null ? null : answer - lastVoiced,
        agentStopMs,
        pauses: pauses.length,
        pausesAnswered: 0,
        answers: 0,
        agentVoicedWhileSpeaking: 0,
      });
      if (answer === null) break;
      heardSince = answer;
    }
    completed = turns.length === opts.script.length && turns.every((t) => t.mouthToEarMs !== null);
    // Let the agent finish (it hangs up after its last words); then hang up ourselves.
    await Promise.race([peer.ended, sleep(answerTimeoutMs)]);
  } finally {
    if (!ended) peer.hangup();
  }
  const end = await peer.ended;
  const onsets = agentOnsets(agentVoicedAt);
  turns.forEach((turn, i) => {
    const line = spoken[i];
    if (!line) return;
    turn.answers = answersBetween(onsets, line.startAt, spoken[i + 1]?.startAt ?? Number.POSITIVE_INFINITY);
    turn.pausesAnswered = pausesAnswered(onsets, line.pauses, line.voiceEndAt);
    turn.agentVoicedWhileSpeaking = agentVoicedAt.filter(
      (at) => at >= line.startAt && at < line.voiceEndAt,
    ).length;
  });
  return {
    uuid: peer.uuid,
    turns,
    end,
    answerToFirstAudioMs: firstVoicedAt === null ? null : firstVoicedAt - startedAt,
    agentVoicedAt,
    maxGapMs,
    jitterMs,
    agentAudio: opts.record ? peer.receivedAudio() : Buffer.alloc(0),
    callerAudio: opts.record ? peer.sentAudio() : Buffer.alloc(0),
    durationMs: clock.now() - startedAt,
    completed,
    startedAt,
    spoken: spoken.map(({ startAt, voiceEndAt }) => ({ startAt, voiceEndAt })),
  };
}

/** Adds `echo` x gain into `payload` (both s16le), saturating. */
function mixInto(payload: Buffer, echo: Buffer, gain: number): void {
  const n = Math.min(payload.length, echo.length) & ~1;
  for (let i = 0; i < n; i += 2) {
    const v = payload.readInt16LE(i) + Math.round(echo.readInt16LE(i) * gain);
    payload.writeInt16LE(Math.max(-32768, Math.min(32767, v)), i);
  }
}

import { VOICED_RMS } from '../../src/audio/energy.js';
import { agentOnsets, agentStoppedAt, answersBetween, heardAnswer } from '../caller/answers.js';
import { type CallerTurn, fixtureClip, trailingSilenceMs } from '../caller/caller.js';
import type { CallerLine } from '../caller/script.js';
import { type StreamPeerEnd, TwilioStreamPeer } from './stream-peer.js';

export interface StreamConversationOptions {
  url: string;
  parameters: Record<string, string>;
  authToken: string;
  accountSid: string;
  callSid: string;
  streamSid: string;
  script: CallerLine[];
  turnGapMs: number;
  answerTimeoutMs: number;
  clipFor?: (line: CallerLine) => Buffer;
  record?: boolean;
  /** When the call was placed (performance.now()): answer-to-first-audio counts from here. */
  placedAt?: number;
  /** Gives the platform the peer, so a REST update can end the stream. */
  onPeer?: (peer: TwilioStreamPeer) => void;
}

export interface StreamConversationResult {
  turns: CallerTurn[];
  end: StreamPeerEnd;
  answerToFirstAudioMs: number | null;
  /** When each voiced agent frame was played to the caller (performance.now()). */
  agentVoicedAt: number[];
  clears: number[];
  violations: string[];
  marksEchoed: number;
  agentAudio: Buffer;
  completed: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A scripted caller on a Media Stream, like the AudioSocket caller: it waits for the agent to finish
 * (as heard at playback), speaks its line in real time, interrupts on cue, and measures each turn
 * from its last voiced frame to the first voiced agent frame played after it.
 */
export async function runStreamConversation(
  opts: StreamConversationOptions,
): Promise<StreamConversationResult> {
  const clipFor = opts.clipFor ?? ((l: CallerLine) => fixtureClip(l));
  let lastAgentVoicedAt: number | null = null;
  let firstVoicedAt: number | null = null;
  const agentVoicedAt: number[] = [];
  let voicedListener: ((at: number) => void) | null = null;
  const startedAt = performance.now();
  const placedAt = opts.placedAt ?? startedAt;
  const peer = await TwilioStreamPeer.connect({
    url: opts.url,
    authToken: opts.authToken,
    accountSid: opts.accountSid,
    callSid: opts.callSid,
    streamSid: opts.streamSid,
    parameters: opts.parameters,
    voicedRms: VOICED_RMS,
    record: opts.record ?? false,
    onPlayed: (_frame, at, voiced) => {
      if (!voiced) return;
      agentVoicedAt.push(at);
      lastAgentVoicedAt = at;
      firstVoicedAt ??= at;
      voicedListener?.(at);
    },
  });
  opts.onPeer?.(peer);
  let ended = false;
  void peer.ended.then(() => {
    ended = true;
  });

  const nextAgentVoice = (since: number, timeoutMs: number) =>
    new Promise<number | null>((resolve) => {
      if (lastAgentVoicedAt !== null && lastAgentVoicedAt > since) return resolve(lastAgentVoicedAt);
      const done = (v: number | null) => {
        clearTimeout(timer);
        voicedListener = null;
        resolve(v);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      voicedListener = (at) => {
        if (at > since) done(at);
      };
      void peer.ended.then(() => done(null));
    });
  const agentQuiet = async (deadline: number) => {
    while (!ended && performance.now() < deadline) {
      const quietFor = performance.now() - (lastAgentVoicedAt ?? startedAt);
      if (quietFor >= opts.turnGapMs && peer.bufferedMs() === 0) return true;
      await sleep(Math.max(5, opts.turnGapMs - quietFor));
    }
    return false;
  };

  const turns: CallerTurn[] = [];
  /** When each line started, to count the agent's separate answers to it. */
  const lineStarts: number[] = [];
  /** When each line's last voiced frame went out. */
  const lineVoiceEnds: number[] = [];
  let heardSince = startedAt;
  try {
    if ((await nextAgentVoice(startedAt, opts.answerTimeoutMs)) === null) throw new Error('no greeting');
    for (const line of opts.script) {
      const clip = clipFor(line);
      let speechStart: number;
      if (line.bargeInAfterMs !== undefined) {
        const replyStart = await nextAgentVoice(heardSince, opts.answerTimeoutMs);
        if (replyStart === null) break;
        await sleep(line.bargeInAfterMs);
      } else {
        if (!(await agentQuiet(performance.now() + opts.answerTimeoutMs))) break;
        if (line.pauseMs) await sleep(line.pauseMs);
      }
      speechStart = performance.now();
      lineStarts.push(speechStart);
      peer.say(clip);
      await peer.saidAll();
      if (ended) break;
      const lastVoiced = performance.now() - trailingSilenceMs(clip, 8000, VOICED_RMS);
      lineVoiceEnds.push(lastVoiced);
      let agentStopMs: number | null = null;
      if (line.bargeInAfterMs !== undefined) {
        agentStopMs = agentStoppedAt(agentVoicedAt, speechStart, lastVoiced) - speechStart;
      }
      const heard = heardAnswer(agentVoicedAt, lastVoiced);
      const answer =
        heard === 'talking-through'
          ? await nextAgentVoice(Math.max(lastVoiced, lastAgentVoicedAt ?? 0), opts.answerTimeoutMs)
          : (heard ?? (await nextAgentVoice(lastVoiced, opts.answerTimeoutMs)));
      turns.push({
        line: line.text,
        bargeIn: line.bargeInAfterMs !== undefined,
        mouthToEarMs: answer === null ? null : answer - lastVoiced,
        agentStopMs,
        // Lines are spoken whole here: no mid-sentence pauses.
        pauses: 0,
        pausesAnswered: 0,
        answers: 0,
        agentVoicedWhileSpeaking: 0,
      });
      if (answer === null) break;
      heardSince = answer;
    }
    // Let the agent finish and hang up (or hand the call over); then hang up ourselves.
    await Promise.race([peer.ended, sleep(opts.answerTimeoutMs)]);
  } finally {
    if (!ended) peer.hangup();
  }
  const end = await peer.ended;
  const onsets = agentOnsets(agentVoicedAt);
  turns.forEach((turn, i) => {
    const start = lineStarts[i] ?? 0;
    turn.answers = answersBetween(onsets, start, lineStarts[i + 1] ?? Number.POSITIVE_INFINITY);
    const voiceEnd = lineVoiceEnds[i] ?? start;
    turn.agentVoicedWhileSpeaking = agentVoicedAt.filter((at) => at >= start && at < voiceEnd).length;
  });
  return {
    turns,
    end,
    answerToFirstAudioMs: firstVoicedAt === null ? null : firstVoicedAt - placedAt,
    agentVoicedAt,
    clears: peer.clears,
    violations: peer.violations,
    marksEchoed: peer.marksEchoed,
    agentAudio: peer.playedAudio(),
    completed: turns.length === opts.script.length && turns.every((t) => t.mouthToEarMs !== null),
  };
}

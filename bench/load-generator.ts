import { runFakeAgiCall } from '../sim/asterisk/fake-asterisk-agi.js';
import { fixtureClip, runSimulatedCaller } from '../sim/caller/caller.js';
import type { CallerLine } from '../sim/caller/script.js';
import { placeTwilioCall } from '../sim/twilio/platform.js';
import { FrameScheduler } from '../src/transports/audiosocket/frame-scheduler.js';

/** Where the callers dial in. `agiPort` null: no FastAGI step (the floor has no tenants). */
export interface LoadTarget {
  audioSocketPort: number;
  agiPort: number | null;
  /** Call through Twilio instead: the simulator posts the signed webhook and opens the Media Stream. */
  twilio?: { baseUrl: string; authToken: string; accountSid: string };
}

export type Arrival = 'burst' | 'ramp';

export interface LoadOptions {
  target: LoadTarget;
  /** Concurrent caller slots; each places calls back to back. */
  calls: number;
  /** New calls start only within this window; a call in progress at the end runs to its end. */
  seconds: number;
  /** burst: every slot's first call starts within 1 s; ramp: spread evenly over `rampSeconds`. */
  arrival: Arrival;
  rampSeconds: number;
  script: CallerLine[];
  /** Dialled number sent in the FastAGI arguments, or Twilio's To (selects the tenant). */
  did: string;
  /** Per-turn wait for the agent before the caller gives up (runSimulatedCaller's answerTimeoutMs). */
  answerTimeoutMs?: number;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  phase: 'ramp' | 'run' | 'drain';
  elapsedMs: number;
  slotsStarted: number;
  active: number;
  finished: number;
  failed: number;
}

/** One call as the caller measured it; audio buffers are not kept. */
export interface CallOutcome {
  slot: number;
  uuid: string | null;
  /** ms since the load started. */
  startMs: number;
  durationMs: number;
  /** Set when the call could not be placed or broke (no greeting, connection refused, AGI failed). */
  error: string | null;
  completed: boolean;
  endReason: string | null;
  answerToFirstAudioMs: number | null;
  turns: {
    mouthToEarMs: number | null;
    bargeIn: boolean;
    agentStopMs: number | null;
    /** Mid-sentence pauses in the line, how many the agent answered, and its separate answers. */
    pauses: number;
    pausesAnswered: number;
    answers: number;
  }[];
  maxGapMs: number;
  jitterMs: number[];
}

export interface LoadResult {
  outcomes: CallOutcome[];
  /** performance.now() at the first call start and after the last call ended. */
  startedAt: number;
  endedAt: number;
}

const PROGRESS_EVERY_MS = 250;

/**
 * The load generator: N simulated callers in this one process, all driven by ONE shared frame timer.
 * Each caller slot registers its call over FastAGI (as the dialplan does, so the server knows the
 * tenant), then runs the booking script over a real AudioSocket connection, and repeats until the
 * window closes.
 */
export class LoadGenerator {
  private readonly scheduler = new FrameScheduler();
  private readonly clips = new Map<string, Buffer>();
  private readonly outcomes: CallOutcome[] = [];
  private slotsStarted = 0;
  private active = 0;
  private failed = 0;
  private stopped = false;

  constructor(private readonly opts: LoadOptions) {}

  /** No new calls from now on (calls in progress carry on). */
  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<LoadResult> {
    const { opts } = this;
    const startedAt = performance.now();
    const deadline = startedAt + opts.seconds * 1000;
    const spreadMs = opts.arrival === 'burst' ? 1000 : Math.max(0, opts.rampSeconds * 1000);
    const progress = setInterval(() => this.report(startedAt, deadline), PROGRESS_EVERY_MS);
    try {
      await Promise.all(
        Array.from({ length: opts.calls }, (_, slot) =>
          this.runSlot(slot, startedAt, startedAt + (spreadMs * slot) / opts.calls, deadline),
        ),
      );
    } finally {
      clearInterval(progress);
      this.report(startedAt, deadline);
      this.scheduler.stop();
    }
    return { outcomes: this.outcomes, startedAt, endedAt: performance.now() };
  }

  /** One call outside the measured load (module loading, JIT and the greeting cache warm up on it). */
  async warmUp(): Promise<CallOutcome> {
    try {
      return await this.placeCall(0, 0, performance.now());
    } finally {
      this.scheduler.stop();
    }
  }

  private async runSlot(slot: number, loadStart: number, firstAt: number, deadline: number): Promise<void> {
    await sleep(firstAt - performance.now());
    this.slotsStarted++;
    let seq = 0;
    while (!this.stopped && performance.now() < deadline) {
      this.active++;
      const outcome = await this.placeCall(slot, seq++, loadStart);
      this.active--;
      this.outcomes.push(outcome);
      if (outcome.error) {
        this.failed++;
        await sleep(1000); // a broken target must not turn this into a tight reconnect loop
      }
    }
  }

  private async placeCall(slot: number, seq: number, loadStart: number): Promise<CallOutcome> {
    const { opts } = this;
    const startMs = performance.now() - loadStart;
    let uuid: string | null = null;
    if (opts.target.twilio) return this.placeTwilioCall(opts.target.twilio, slot, seq, startMs, loadStart);
    try {
      if (opts.target.agiPort !== null) {
        const agi = await runFakeAgiCall({
          host: '127.0.0.1',
          port: opts.target.agiPort,
          script: 'voice-agent',
          args: [opts.did, callerNumber(slot, seq)],
        });
        uuid = agi.variables.VA_UUID ?? null;
        if (!uuid) throw new Error(`FastAGI gave no VA_UUID (${agi.agiStatus})`);
      }
      const r = await runSimulatedCaller({
        port: opts.target.audioSocketPort,
        ...(uuid ? { uuid } : {}),
        script: opts.script,
        scheduler: this.scheduler,
        clipFor: (line) => this.clip(line),
        ...(opts.answerTimeoutMs !== undefined ? { answerTimeoutMs: opts.answerTimeoutMs } : {}),
      });
      const broken = r.end.reason === 'protocol-violation' || r.end.reason === 'socket-error';
      return {
        slot,
        uuid: r.uuid,
        startMs,
        durationMs: r.durationMs,
        error: broken ? `${r.end.reason}: ${r.end.detail ?? ''}` : null,
        completed: r.completed,
        endReason: r.end.reason,
        answerToFirstAudioMs: r.answerToFirstAudioMs,
        turns: r.turns.map((t) => ({
          mouthToEarMs: t.mouthToEarMs,
          bargeIn: t.bargeIn,
          agentStopMs: t.agentStopMs,
          pauses: t.pauses,
          pausesAnswered: t.pausesAnswered,
          answers: t.answers,
        })),
        maxGapMs: r.maxGapMs,
        jitterMs: r.jitterMs,
      };
    } catch (err) {
      return {
        slot,
        uuid,
        startMs,
        durationMs: performance.now() - loadStart - startMs,
        error: (err as Error).message ?? String(err),
        completed: false,
        endReason: null,
        answerToFirstAudioMs: null,
        turns: [],
        maxGapMs: 0,
        jitterMs: [],
      };
    }
  }

  /** One call the way Twilio places it; wire figures are taken at playback in the caller's buffer. */
  private async placeTwilioCall(
    twilio: NonNullable<LoadTarget['twilio']>,
    slot: number,
    seq: number,
    startMs: number,
    loadStart: number,
  ): Promise<CallOutcome> {
    const { opts } = this;
    try {
      const r = await placeTwilioCall(twilio, {
        voiceUrl: `${twilio.baseUrl}/voice/incoming`,
        statusUrl: `${twilio.baseUrl}/voice/status`,
        from: `+44${callerNumber(slot, seq).slice(1)}`,
        to: opts.did,
        script: opts.script,
        clipFor: (line) => this.clip(line),
        ...(opts.answerTimeoutMs !== undefined ? { answerTimeoutMs: opts.answerTimeoutMs } : {}),
      });
      const s = r.stream;
      const broken = !s || s.end.reason === 'socket-error' || s.violations.length > 0;
      return {
        slot,
        uuid: r.callSid,
        startMs,
        durationMs: performance.now() - loadStart - startMs,
        error: broken ? `twilio stream: ${s ? (s.violations[0] ?? s.end.reason) : 'no stream'}` : null,
        completed: r.completed,
        endReason: s?.end.reason ?? null,
        answerToFirstAudioMs: s?.answerToFirstAudioMs ?? null,
        turns: r.turns.map((t) => ({
          mouthToEarMs: t.mouthToEarMs,
          bargeIn: t.bargeIn,
          agentStopMs: t.agentStopMs,
          pauses: t.pauses,
          pausesAnswered: t.pausesAnswered,
          answers: t.answers,
        })),
        // Twilio buffers and plays agent audio itself: there is no server frame clock to measure.
        maxGapMs: 0,
        jitterMs: [],
      };
    } catch (err) {
      return {
        slot,
        uuid: null,
        startMs,
        durationMs: performance.now() - loadStart - startMs,
        error: (err as Error).message ?? String(err),
        completed: false,
        endReason: null,
        answerToFirstAudioMs: null,
        turns: [],
        maxGapMs: 0,
        jitterMs: [],
      };
    }
  }

  /** Clips are read once: hundreds of callers share the same few buffers (the peer only reads them). */
  private clip(line: CallerLine): Buffer {
    let pcm = this.clips.get(line.text);
    if (!pcm) {
      pcm = fixtureClip(line);
      this.clips.set(line.text, pcm);
    }
    return pcm;
  }

  private report(startedAt: number, deadline: number): void {
    const now = performance.now();
    this.opts.onProgress?.({
      phase: this.slotsStarted < this.opts.calls ? 'ramp' : now < deadline ? 'run' : 'drain',
      elapsedMs: now - startedAt,
      slotsStarted: this.slotsStarted,
      active: this.active,
      finished: this.outcomes.length,
      failed: this.failed,
    });
  }
}

/** A distinct UK mobile number per call (07700 900xxx is Ofcom's drama range), so no call looks repeated. */
function callerNumber(slot: number, seq: number): string {
  return `07700${String(900000 + ((slot * 97 + seq) % 100000)).padStart(6, '0')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

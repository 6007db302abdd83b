import { fromCallback } from 'xstate';
import type { CallEvent, ReplyCommand, ReplyInput } from '../../machines/call.types.js';
import type { Logger } from '../log.js';
import { type LlmClient, LlmError, type ToolCall } from '../providers/llm/types.js';
import type { CallLine, Speaker } from './call-line.js';
import type { CallerAudio } from './caller-audio.js';
import { cachedApology, cachedReplyLine, closingLine } from './fixed-lines.js';
import { heardText, type ReplyAudioLedger } from './heard-text.js';
import type { LineCache, LineSet } from './line-cache.js';
import { streamLlmRound } from './reply-llm.js';
import { DEFAULT_TTS_WATCHDOGS, ReplyVoice, type TtsWatchdogs } from './reply-voice.js';
import { toolCallsEvent } from './tools.js';

/** Audio a speculative reply may hold while its turn is unconfirmed. */
const MAX_HELD_MS = 20_000;
/** Replies in a row the TTS could not voice at all before the chart is told it has failed (a hand-over). */
const TTS_FAILURES_BEFORE_HANDOVER = 2;
/** How long tool calls made after a reply's words wait for those words to become audio. */
const TOOLS_WAIT_FOR_AUDIO_MS = 2000;

export interface ReplyDeps {
  line: CallLine;
  callerAudio: CallerAudio;
  llm: LlmClient;
  llmOptions: { maxTokens: number; temperature: number };
  /** Fixed lines synthesised ahead, and the call's format in that cache. */
  lines?: { cache: LineCache; format: LineSet['format'] };
  /** How long the TTS may keep a reply waiting before it is retried (default DEFAULT_TTS_WATCHDOGS). */
  ttsWatchdogs?: TtsWatchdogs;
}

/**
 * One agent reply: LLM deltas go straight into one TTS context with `continue` (no sentence
 * buffering), TTS audio goes straight to the pacer. Reports milestones to the call machine; when the
 * machine leaves the replying state this reply is stopped: the LLM request is aborted and the TTS
 * context cancelled.
 */
class ActiveReply implements Speaker {
  private readonly abort = new AbortController();
  private voice: ReplyVoice | undefined;
  private stopped = false;
  private ttsDone = false;
  /** The LLM is still writing this reply (a TTS failure is then reported once its tool calls are known). */
  private thinking = false;
  /** The TTS could not voice any of this reply. */
  private ttsFailed = false;
  /** The TTS failed and the cached apology was played instead of the rest of the reply. */
  private replaced = false;
  /** Settles on the reply's first audio, a TTS failure or a stop. */
  private audioSettled!: () => void;
  private readonly firstAudio = new Promise<void>((resolve) => {
    this.audioSettled = resolve;
  });
  private playoutReported = false;
  private playedAtStart: number;
  /** Audio of a speculative reply, held until the turn is confirmed (undefined once audible). */
  private held: Buffer[] | undefined;
  private heldBytes = 0;
  private readonly ledger: ReplyAudioLedger = { text: '', audioMs: 0 };
  private audioSeen = false;
  private firstPushAt: number | undefined;
  private readonly log: Logger;

  constructor(
    private readonly input: ReplyInput,
    private readonly deps: ReplyDeps,
    private readonly send: (e: CallEvent) => void,
  ) {
    this.playedAtStart = deps.line.transport.playedMs();
    this.log = deps.line.log.child({ turn: input.turn, step: input.step, speculative: input.speculative });
    if (input.speculative) this.held = [];
  }

  start(): void {
    if (!this.held) this.becomeAudible();
    const { lines, line } = this.deps;
    const cached = lines && cachedReplyLine(this.input, line, lines.cache, lines.format);
    // A closing step's fixed words need no model even when they are not cached yet.
    const { say, step, facts, language } = this.input;
    const fixed = say ?? closingLine(step, facts, language);
    const run = cached
      ? this.playCached(cached.text, cached.clip)
      : fixed !== undefined
        ? this.speak(fixed)
        : this.think().finally(() => {
            this.thinking = false;
          });
    run.catch((err) => {
      if (this.stopped) return;
      this.log.warn({ err }, 'reply failed');
      this.send({ type: 'REPLY.FAILED', reason: String((err as Error)?.message ?? err) });
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.audioSettled();
    this.abort.abort();
    this.voice?.cancel();
    if (this.deps.line.speaker === this) this.deps.line.speaker = undefined;
  }

  /** The turn was confirmed as predicted: what was held plays now, the rest as it comes. */
  release(): void {
    const held = this.held;
    if (!held || this.stopped) return;
    this.held = undefined;
    this.becomeAudible();
    if (this.audioSeen) this.deps.line.turns.firstAudio();
    for (const audio of held) this.deps.line.transport.play(audio);
  }

  private becomeAudible(): void {
    this.playedAtStart = this.deps.line.transport.playedMs();
    this.deps.line.speaker = this;
    this.deps.callerAudio.resetDetector();
  }

  /** What the caller has heard of this reply so far (for barge-in truncation). */
  heard(): string {
    return heardText(this.ledger, this.deps.line.transport.playedMs() - this.playedAtStart);
  }

  /** The transport's queue ran dry; finished if the TTS has sent everything. */
  onPlayoutDrained(): void {
    if (this.ttsDone && !this.stopped && !this.playoutReported && this.deps.line.transport.queuedMs() === 0) {
      this.playoutReported = true;
      this.send({ type: 'PLAYOUT.DONE' });
    }
  }

  /** Plays a cached clip as the whole reply: no model, no TTS round trip. */
  private async playCached(text: string, clip: Buffer): Promise<void> {
    await Promise.resolve(); // report milestones once the invoking state has been entered
    if (this.stopped) return;
    this.log.info({ chars: text.length }, 'fixed line played from the line cache');
    this.deps.line.turns.ttsPushed();
    this.firstPushAt = performance.now();
    this.ledger.text = text;
    this.send({ type: 'REPLY.GENERATED', text });
    this.onAudio(clip);
    this.ttsDone = true;
    this.onPlayoutDrained();
  }

  private async speak(text: string): Promise<void> {
    await Promise.resolve(); // report milestones once the invoking state has been entered
    this.pushText(text);
    if (!this.replaced) this.send({ type: 'REPLY.GENERATED', text });
    this.voiceOf().finish();
  }

  private async think(): Promise<void> {
    const { llm, llmOptions, line } = this.deps;
    this.thinking = true;
    const round = await streamLlmRound({
      line,
      llm,
      llmOptions,
      input: this.input,
      signal: this.abort.signal,
      log: this.log,
      send: this.send,
      onText: (text) => this.pushText(text),
      stopped: () => this.stopped,
    });
    if (!round || this.stopped) return;
    const { text, toolCalls } = round;
    if (this.replaced) {
      // The caller heard the apology instead: the words were not said, the tool calls still count.
      if (toolCalls.length) this.reportTools(toolCalls, false);
      return;
    }
    if (text && toolCalls.length && !this.audioSeen && !this.ttsFailed) {
      // Words count as said before the tool calls only once the caller hears them: a TTS that fails
      // now must not leave the chart believing a closing line (a hand-over) was spoken. Bounded, so a
      // stalled TTS still gets the tool calls applied well before the chart's first-audio deadline.
      this.send({ type: 'REPLY.GENERATED', text });
      this.voiceOf().finish();
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([
        this.firstAudio,
        new Promise((r) => (wait = setTimeout(r, TOOLS_WAIT_FOR_AUDIO_MS))),
      ]);
      clearTimeout(wait);
      if (this.stopped) return;
      this.reportTools(toolCalls, !this.ttsFailed && !this.replaced);
      return;
    }
    if (this.ttsFailed) {
      if (toolCalls.length) this.reportTools(toolCalls, false);
      else throw new Error('tts: no audio for this reply');
      return;
    }
    if (toolCalls.length) this.reportTools(toolCalls, text.length > 0);
    if (text) {
      this.send({ type: 'REPLY.GENERATED', text });
      this.voiceOf().finish();
    } else if (!toolCalls.length) {
      throw new LlmError('empty reply', round.provider, 'truncated');
    }
  }

  private reportTools(calls: ToolCall[], afterText: boolean): void {
    this.send(toolCallsEvent(calls, afterText, this.log));
  }

  /** The reply's TTS side, opened on the first text (it waits for the session, or its redial). */
  private voiceOf(): ReplyVoice {
    const { line, lines } = this.deps;
    this.voice ??= new ReplyVoice(
      line,
      line.voice(this.input.language, this.input.step),
      this.ledger,
      this.deps.ttsWatchdogs ?? DEFAULT_TTS_WATCHDOGS,
      () => (lines ? cachedApology(this.input, line, lines.cache, lines.format) : undefined),
      {
        audio: (audio) => this.onAudio(audio),
        done: () => {
          this.ttsDone = true;
          this.onPlayoutDrained();
        },
        replaced: (text, clip) => {
          this.replaced = true;
          this.send({ type: 'REPLY.GENERATED', text });
          this.onAudio(clip);
          this.ttsDone = true;
          this.onPlayoutDrained();
        },
        failed: (error, afterAudio) => this.onTtsFailed(error, afterAudio),
      },
      this.log,
    );
    return this.voice;
  }

  /** The TTS could not voice this reply, even on a fresh context, and no cached line could stand in. */
  private onTtsFailed(error: Error, afterAudio: boolean): void {
    if (this.stopped) return;
    const { line } = this.deps;
    if (afterAudio) {
      // Part of the reply played: treat the error as its end rather than go silent mid-call.
      this.log.warn({ err: error }, 'tts error mid-reply');
      this.ttsDone = true;
      this.onPlayoutDrained();
      return;
    }
    // The TTS voiced none of this reply. Once that happens twice in a row it is down: the chart hands
    // the caller to a person (its line comes from the line cache).
    line.ttsFailuresInARow++;
    if (line.ttsFailuresInARow >= TTS_FAILURES_BEFORE_HANDOVER)
      this.send({ type: 'TTS.FAILED', reason: `tts: ${error.message}` });
    this.ttsFailed = true;
    this.audioSettled();
    // A reply the LLM is still writing reports once its tool calls are known (think()).
    if (!this.thinking) this.send({ type: 'REPLY.FAILED', reason: `tts: ${error.message}` });
  }

  private onAudio(audio: Buffer): void {
    const { line } = this.deps;
    if (!this.audioSeen) {
      this.audioSeen = true;
      this.audioSettled();
      if (!this.held) line.turns.firstAudio();
      const ttfbMs = this.firstPushAt === undefined ? 0 : performance.now() - this.firstPushAt;
      this.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: Math.round(ttfbMs * 10) / 10 });
    }
    this.ledger.audioMs += audio.length / line.bytesPerMs;
    if (!this.held) {
      line.transport.play(audio);
      return;
    }
    // Held audio is bounded: a reply that outgrows it while unconfirmed stops growing.
    if (this.heldBytes + audio.length > MAX_HELD_MS * line.bytesPerMs) return;
    this.heldBytes += audio.length;
    this.held.push(audio);
  }

  private pushText(text: string): void {
    if (this.stopped || this.ttsFailed || this.replaced) return;
    this.deps.line.turns.ttsPushed();
    this.firstPushAt ??= performance.now();
    this.voiceOf().push(text);
  }
}

/** The `reply` child the chart invokes in `replying`, bound to one call's data plane. */
export function replyActor(deps: ReplyDeps) {
  return fromCallback<ReplyCommand, ReplyInput>(({ input, sendBack, receive }) => {
    const reply = new ActiveReply(input, deps, sendBack);
    receive(() => reply.release());
    reply.start();
    return () => reply.stop();
  });
}

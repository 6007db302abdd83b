import type { Step } from '../../machines/call.types.js';
import { roundTo } from '../round.js';
import type { TurnRecord } from '../store/types.js';

/** Latencies are reported to 0.1 ms. */
const round = (n: number | null) => roundTo(n, 1);

/**
 * Collects the latency figures of one caller turn and the agent reply that answers it, as the server
 * sees them. Times are the one monotonic clock's milliseconds.
 *   sttFinalMs   caller's last voiced frame -> final transcript
 *   llmTtftMs    first LLM request of the turn -> first text token (tool round trips included)
 *   ttsTtfbMs    first text pushed to TTS -> first audio back
 *   mouthToEarMs caller's last voiced frame -> first agent audio handed to the pacer
 */
export class TurnRecorder {
  private index = 0;
  private callerText = '';
  private lastVoicedAt: number | null = null;
  private finalAt: number | null = null;
  private llmStartAt: number | null = null;
  private firstTextAt: number | null = null;
  private ttsFirstPushAt: number | null = null;
  private firstAudioAt: number | null = null;
  private provider: string | null = null;
  private bargeInStopMs: number | null = null;
  private llmRequests = 0;
  /** Requests of the reply the caller is waiting for (a dropped speculation's are not among them). */
  private waitedRequests = 0;
  private llmRounds: number | null = null;
  private speculative = false;
  private speculating = false;
  /** A caller turn is recorded and its reply not yet closed. */
  private open = false;
  /** A row was already stored under `index`: a further reply in the same turn gets a row of its own. */
  private stored = false;

  constructor(
    private readonly callId: string,
    private readonly now: () => number,
  ) {}

  callerFinal(text: string, lastVoicedAt: number | null): void {
    this.index++;
    this.open = true;
    this.stored = false;
    this.callerText = text;
    this.lastVoicedAt = lastVoicedAt;
    this.finalAt = this.now();
    this.bargeInStopMs = null;
    // A reply started on an early signal belongs to this turn: its figures so far are kept.
    if (this.speculating) return;
    this.llmStartAt = this.firstTextAt = this.ttsFirstPushAt = this.firstAudioAt = null;
    this.provider = null;
    this.llmRounds = null;
    this.waitedRequests = 0;
  }

  /** A speculative reply started, was kept for the confirmed turn, or was dropped. */
  speculation(result: 'started' | 'confirmed' | 'cancelled'): void {
    if (result === 'started') {
      this.speculating = true;
      return;
    }
    this.speculating = false;
    if (result === 'confirmed') {
      this.speculative = true;
      return;
    }
    // Dropped: its requests still count for the turn, but nobody waited for them.
    this.llmStartAt = this.firstTextAt = this.ttsFirstPushAt = this.firstAudioAt = null;
    this.provider = null;
    this.llmRounds = null;
    this.waitedRequests = 0;
  }

  /** An LLM request of the reply being made; `speculative` when the turn was not yet confirmed. */
  llmRequested(): void {
    this.llmStartAt ??= this.now();
    this.llmRequests++;
    this.waitedRequests++;
  }

  llmFirstText(provider: string): void {
    if (this.firstTextAt !== null) return;
    this.firstTextAt = this.now();
    this.provider = provider;
  }

  ttsPushed(): void {
    this.ttsFirstPushAt ??= this.now();
  }

  /** The reply's first audio: how many LLM requests the caller waited for is fixed here. */
  firstAudio(): void {
    this.firstAudioAt ??= this.now();
    this.llmRounds ??= this.waitedRequests;
  }

  bargeInStopped(ms: number): void {
    this.bargeInStopMs = ms;
  }

  /** Closes the agent side of the turn and returns the record to store. */
  agentDone(text: string, interrupted: boolean, step: Step): TurnRecord {
    const diff = (a: number | null, b: number | null) => (a !== null && b !== null ? a - b : null);
    // A second reply to one caller turn (the step moved while the first played) must not replace the
    // first reply's row, which holds the caller's words: it is stored as a row with no caller text.
    if (this.stored) this.index++;
    this.stored = true;
    const record: TurnRecord = {
      callId: this.callId,
      index: this.index,
      step,
      callerText: this.callerText,
      agentText: text,
      bargeIn: interrupted,
      sttFinalMs: round(diff(this.finalAt, this.lastVoicedAt)),
      llmTtftMs: round(diff(this.firstTextAt, this.llmStartAt)),
      ttsTtfbMs: round(diff(this.firstAudioAt, this.ttsFirstPushAt)),
      mouthToEarMs: round(diff(this.firstAudioAt, this.lastVoicedAt)),
      bargeInStopMs: round(this.bargeInStopMs),
      llmProvider: this.provider,
      llmRounds: this.llmRounds,
      llmRequests: this.llmRequests,
      speculative: this.speculative,
      at: Date.now(),
    };
    this.open = false;
    // A later reply in the same turn (re-prompt after barge-in) gets fresh reply figures.
    this.llmStartAt = this.firstTextAt = this.ttsFirstPushAt = this.firstAudioAt = null;
    this.callerText = '';
    this.lastVoicedAt = null;
    this.llmRequests = 0;
    this.waitedRequests = 0;
    this.llmRounds = null;
    this.speculative = false;
    return record;
  }

  /** The caller spoke and the call ended before the answer was over (they hung up during it). */
  get hasOpenTurn(): boolean {
    return this.open;
  }

  get turnIndex(): number {
    return this.index;
  }
}

import type { HistoryEntry, Language, Step } from '../../machines/call.types.js';

export interface RespondRequest {
  /** The caller's recording: WAV, 16-bit PCM, mono or stereo, 8 or 16 kHz. */
  wav: Buffer;
  /** Tenant id or dialled number; default tenant when absent. */
  tenant?: string;
  /** Reply language; the tenant's when absent. */
  language?: Language;
  /** Earlier turns of the conversation (caller and agent lines). */
  history?: HistoryEntry[];
  signal?: AbortSignal;
}

/** Milliseconds, one decimal. `streamingSavedMs`: how much earlier synthesis started than it would have after the whole reply. */
export interface RespondTimings {
  sttMs: number;
  llmFirstTokenMs: number | null;
  llmTotalMs: number;
  ttsFirstByteMs: number;
  ttsTotalMs: number;
  totalMs: number;
  streamingSavedMs: number;
}

export interface RespondResult {
  /** The agent's answer: WAV, mono s16le at the input's rate. */
  wav: Buffer;
  sampleRate: number;
  audioMs: number;
  transcript: string;
  reply: string;
  tenantId: string;
  language: Language;
  /** The workflow step the reply speaks for (e.g. `quote` once the problem is recorded). */
  step: Step;
  llmProvider: string | null;
  llmRounds: number;
  ttsRequests: number;
  timings: RespondTimings;
}

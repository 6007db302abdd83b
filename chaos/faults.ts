/**
 * The fault matrix: one row per fault, each injected mid-call. A provider fault is a set of simulator
 * knobs (SIM_*) on the simulator process, which acts on the wire at the moment the knob names (after
 * the Nth request, segment or connection, or N ms into a connection). The two store faults are another
 * process acting on the data directory when the caller has said a given line, as they would in life.
 */

/** A fault outside the simulators, started once the caller has said line `afterLine` (0-based). */
export type ExternalFault =
  /** Another process takes SQLite's write lock and holds it (bench/hold-db-lock.ts). */
  | { kind: 'db-lock'; afterLine: number; holdMs: number }
  /** The data directory is a small tmpfs; another writer fills it (ENOSPC from then on). */
  | { kind: 'disk-full'; afterLine: number };

export interface FaultRow {
  id: string;
  /** What fails, when, and how: one line for the table. */
  fault: string;
  /** Knobs for the simulator process. */
  sim?: Record<string, string>;
  external?: ExternalFault;
}

/** Mid-call moments. The script (fixtures/scripts/booking-en.json) has 6 lines; the booking follows the 6th. */
const AFTER_SEGMENTS = '3'; // Deepgram: after the caller's 3rd utterance ("Yes please, go ahead.")
const AFTER_REQUESTS = '2'; // LLM: from the 3rd completion request on
const TTS_AFTER_MS = '9000'; // Cartesia: contexts opened 9 s or more into the call's TTS connection
const json = (v: unknown) => JSON.stringify(v);
const groq = (fault: unknown) => ({
  SIM_GROQ_FAULTS: json(fault),
  SIM_GROQ_FAULTS_AFTER_REQUESTS: AFTER_REQUESTS,
});

export const FAULT_ROWS: readonly FaultRow[] = [
  { id: 'baseline', fault: 'no fault: the reference call' },
  {
    id: 'deepgram-drop',
    fault: 'Deepgram: TCP reset (no close frame) after the 3rd utterance',
    sim: { SIM_DEEPGRAM_DROP_AFTER_SEGMENTS: AFTER_SEGMENTS, SIM_DEEPGRAM_DROP_KIND: 'reset' },
  },
  {
    id: 'deepgram-1011',
    fault: 'Deepgram: close 1011 (NET-0000) after the 3rd utterance',
    sim: { SIM_DEEPGRAM_DROP_AFTER_SEGMENTS: AFTER_SEGMENTS },
  },
  {
    id: 'deepgram-stall',
    fault: 'Deepgram: socket stays open, no results after the 3rd utterance',
    sim: { SIM_DEEPGRAM_STALL_AFTER_SEGMENTS: AFTER_SEGMENTS },
  },
  {
    id: 'deepgram-refused',
    fault: 'Deepgram: 1011 after the 3rd utterance, then 3 redials refused with 503',
    sim: {
      SIM_DEEPGRAM_DROP_AFTER_SEGMENTS: AFTER_SEGMENTS,
      SIM_DEEPGRAM_REFUSE_AFTER_HANDSHAKES: '1',
      SIM_DEEPGRAM_REFUSE_HANDSHAKES: '3',
      SIM_DEEPGRAM_REFUSE_STATUS: '503',
    },
  },
  {
    id: 'groq-429',
    fault: 'Groq: 429 (retry-after 20 s) from the 3rd request on',
    sim: groq({ kind: 'status', status: 429, retryAfterSec: 20 }),
  },
  { id: 'groq-5xx', fault: 'Groq: 503 from the 3rd request on', sim: groq({ kind: 'status', status: 503 }) },
  {
    id: 'groq-stall-first',
    fault: 'Groq: headers, then no token (held open) from the 3rd request on',
    sim: groq({ kind: 'stall', afterTokens: 0 }),
  },
  {
    id: 'groq-stall-mid',
    fault: 'Groq: 3 tokens, then nothing (held open) from the 3rd request on',
    sim: groq({ kind: 'stall', afterTokens: 3 }),
  },
  {
    id: 'groq-malformed',
    fault: 'Groq: a data line that is not JSON, from the 3rd request on',
    sim: groq({ kind: 'malformed', afterTokens: 0 }),
  },
  {
    id: 'llm-all-down',
    fault: 'Groq 503 from the 3rd request on, Cerebras 503 and Anthropic 529 on every request',
    sim: {
      ...groq({ kind: 'status', status: 503 }),
      SIM_CEREBRAS_FAULTS: json({ kind: 'status', status: 503 }),
      SIM_ANTHROPIC_FAULTS: json({ kind: 'status', status: 529 }),
    },
  },
  {
    id: 'cartesia-error',
    fault: 'Cartesia: an error message for one context after 2 chunks, 9 s into the call',
    sim: {
      SIM_CARTESIA_FAULTS: json([{ kind: 'error', status: 500, afterChunks: 2, times: 1 }]),
      SIM_CARTESIA_FAULTS_AFTER_MS: TTS_AFTER_MS,
    },
  },
  {
    id: 'cartesia-stall',
    fault: 'Cartesia: from 9 s into the call its socket stays open and sends nothing back',
    sim: {
      // Every later context on that connection stalls; a new connection (a reopen) is served.
      SIM_CARTESIA_FAULTS: json([{ kind: 'stall', all: true }]),
      SIM_CARTESIA_FAULTS_AFTER_MS: TTS_AFTER_MS,
    },
  },
  {
    id: 'cartesia-drop',
    fault: 'Cartesia: the socket is torn down after 2 chunks of a context, 9 s into the call',
    sim: {
      SIM_CARTESIA_FAULTS: json([{ kind: 'drop', afterChunks: 2, times: 1 }]),
      SIM_CARTESIA_FAULTS_AFTER_MS: TTS_AFTER_MS,
    },
  },
  {
    id: 'cartesia-refused',
    fault: 'Cartesia: the socket drops 9 s into the call and every new connection is refused',
    sim: {
      SIM_CARTESIA_FAULTS: json([{ kind: 'drop', afterChunks: 2, times: 1 }]),
      SIM_CARTESIA_FAULTS_AFTER_MS: TTS_AFTER_MS,
      // The call's own socket and the fixed-line cache's: nothing after them gets in.
      SIM_CARTESIA_REFUSE_AFTER_CONNECTIONS: '2',
    },
  },
  {
    id: 'context-api-refused',
    fault: 'Context API: connection refused (asked once, as the call starts)',
    sim: { SIM_CONTEXT_API: '1', SIM_CONTEXT_API_FAULT: 'refused' },
  },
  {
    id: 'context-api-hang',
    fault: 'Context API: accepts the request, never answers (asked once, as the call starts)',
    sim: { SIM_CONTEXT_API: '1', SIM_CONTEXT_API_FAULT: 'hang' },
  },
  {
    id: 'sqlite-busy',
    fault: 'SQLite: another process holds the write lock for 10 s from the 5th line (over the booking)',
    external: { kind: 'db-lock', afterLine: 4, holdMs: 10_000 },
  },
  {
    id: 'disk-full',
    fault: 'Disk full: the data directory (a small tmpfs) is filled from the 5th line (before the booking)',
    external: { kind: 'disk-full', afterLine: 4 },
  },
];

import Database from 'better-sqlite3';
import { z } from 'zod';
import { type FieldCipher, fieldCipher } from '../store/field-cipher.js';
import {
  type BookingRow,
  bookingFromRow,
  type CallRow as StoredCallRow,
  type TurnRow,
  turnFromRow,
} from '../store/rows.js';
import type { Booking, TurnRecord } from '../store/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** better-sqlite3 runs on the event loop that carries audio: every query is bounded. */
const MAX_ROWS = 500;
const MAX_CHART_TURNS = 50_000;

const date = z.iso.date(); // YYYY-MM-DD, UTC days
const id = z.string().min(1).max(128);

export const callFilterSchema = z.object({
  tenant: id.optional(),
  outcome: z
    .string()
    .regex(/^[a-z-]{1,32}$/)
    .optional(),
  from: date.optional(),
  to: date.optional(),
});
export type CallFilter = z.infer<typeof callFilterSchema>;

export interface HistoryCall {
  callId: string;
  tenantId: string;
  callerMasked: string;
  dialled: string;
  language: string;
  startedAt: number;
  endedAt: number | null;
  outcome: string | null;
  durationMs: number | null;
  turns: number | null;
  bargeIns: number | null;
  booked: boolean;
  answerToFirstAudioMs: number | null;
  providerErrors: number | null;
  fallbacks: number | null;
}

export interface HourPoint {
  hour: number; // epoch ms of the hour's start
  calls: number;
  p50: number | null;
  p90: number | null;
}

/** The store's call row, less the caller hash (the dashboard never reads it). */
type CallRow = Omit<StoredCallRow, 'caller_hash'>;

function callFromRow(r: CallRow): HistoryCall {
  return {
    callId: r.call_id,
    tenantId: r.tenant_id,
    callerMasked: r.caller_masked,
    dialled: r.dialled,
    language: r.language,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    outcome: r.outcome,
    durationMs: r.duration_ms,
    turns: r.turns,
    bargeIns: r.barge_ins,
    booked: r.booked === 1,
    answerToFirstAudioMs: r.answer_to_first_audio_ms,
    providerErrors: r.provider_errors,
    fallbacks: r.fallbacks,
  };
}

/** Day bounds of a filter as epoch ms: `from` inclusive, `to` through the end of that day. */
function range(f: { from?: string; to?: string }): [number, number] {
  const lo = f.from ? Date.parse(`${f.from}T00:00:00Z`) : 0;
  const hi = f.to ? Date.parse(`${f.to}T00:00:00Z`) + DAY : Number.MAX_SAFE_INTEGER;
  return [lo, hi];
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? null;
}

/**
 * The dashboard's read side: its own read-only connection to the store's SQLite file (WAL lets it read
 * while the store writes), so the runtime's store keeps its small write-only interface.
 */
export class HistoryQueries {
  private readonly db: Database.Database;
  private readonly sql;

  /** `cipher`: opens the callback numbers sealed with DATA_KEY. */
  constructor(
    path: string,
    private readonly cipher: FieldCipher = fieldCipher(),
  ) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 200');
    this.sql = {
      calls: this.db.prepare(
        `SELECT * FROM calls
         WHERE (@tenant IS NULL OR tenant_id = @tenant) AND (@outcome IS NULL OR outcome = @outcome)
           AND started_at >= @lo AND started_at < @hi
         ORDER BY started_at DESC LIMIT ${MAX_ROWS}`,
      ),
      turns: this.db.prepare(`SELECT * FROM turns WHERE call_id = ? ORDER BY idx LIMIT ${MAX_ROWS}`),
      bookings: this.db.prepare(
        `SELECT * FROM bookings
         WHERE (@tenant IS NULL OR tenant_id = @tenant) AND created_at >= @lo AND created_at < @hi
         ORDER BY created_at DESC LIMIT ${MAX_ROWS}`,
      ),
      tenants: this.db.prepare(
        `SELECT id, company_name AS companyName, number FROM tenants ORDER BY id, number LIMIT ${MAX_ROWS}`,
      ),
      callStarts: this.db
        .prepare(`SELECT started_at FROM calls WHERE started_at >= ? LIMIT ${MAX_CHART_TURNS}`)
        .pluck(),
      mouthToEar: this.db.prepare(
        `SELECT at, mouth_to_ear_ms AS ms FROM turns WHERE at >= ? AND mouth_to_ear_ms IS NOT NULL
         LIMIT ${MAX_CHART_TURNS}`,
      ),
    };
  }

  calls(f: CallFilter): HistoryCall[] {
    const [lo, hi] = range(f);
    const rows = this.sql.calls.all({ tenant: f.tenant ?? null, outcome: f.outcome ?? null, lo, hi });
    return (rows as CallRow[]).map(callFromRow);
  }

  turns(callId: string): TurnRecord[] {
    return (this.sql.turns.all(callId) as TurnRow[]).map(turnFromRow);
  }

  bookings(f: Pick<CallFilter, 'tenant' | 'from' | 'to'>): Booking[] {
    const [lo, hi] = range(f);
    return (this.sql.bookings.all({ tenant: f.tenant ?? null, lo, hi }) as BookingRow[]).map((r) =>
      bookingFromRow(r, this.cipher),
    );
  }

  tenants(): { id: string; companyName: string; number: string }[] {
    return this.sql.tenants.all() as { id: string; companyName: string; number: string }[];
  }

  /** Calls per hour and mouth-to-ear p50/p90 per hour over the 24 hours before `now`. */
  lastDay(now = Date.now()): HourPoint[] {
    const first = Math.floor((now - DAY) / HOUR) * HOUR + HOUR;
    const points: HourPoint[] = [];
    const calls = new Map<number, number>();
    const m2e = new Map<number, number[]>();
    for (const at of this.sql.callStarts.all(first) as number[]) {
      const h = Math.floor(at / HOUR) * HOUR;
      calls.set(h, (calls.get(h) ?? 0) + 1);
    }
    for (const { at, ms } of this.sql.mouthToEar.all(first) as { at: number; ms: number }[]) {
      const h = Math.floor(at / HOUR) * HOUR;
      const list = m2e.get(h) ?? [];
      list.push(ms);
      m2e.set(h, list);
    }
    for (let h = first; h <= now; h += HOUR) {
      const sorted = (m2e.get(h) ?? []).sort((a, b) => a - b);
      points.push({
        hour: h,
        calls: calls.get(h) ?? 0,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
      });
    }
    return points;
  }

  close(): void {
    this.db.close();
  }
}

const CSV_COLUMNS: (keyof Booking)[] = [
  'id',
  'createdAt',
  'tenantId',
  'customerName',
  'postcode',
  'address',
  'problem',
  'callerMasked',
  'callId',
];

/** RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet never runs a caller's words. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function bookingsCsv(bookings: readonly Booking[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const b of bookings) {
    lines.push(
      CSV_COLUMNS.map((c) => csvCell(c === 'createdAt' ? new Date(b.createdAt).toISOString() : b[c])).join(
        ',',
      ),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

import type { BookingInput, CallEnd, CallRecord, Tenant, TurnRecord } from './types.js';

/**
 * What the SQLite store's facade asks its writer thread (sqlite-writer.ts). Both ends are ours and the
 * channel is in-process, so messages are typed rather than validated; the store validates its inputs
 * (tenants, bookings) before they are sent.
 */
export type WriterOp =
  | { op: 'tenantForNumber'; key: string }
  | { op: 'upsertTenant'; key: string; tenant: Tenant; updatedAt: number }
  | { op: 'callIdsForCaller'; callerHash: string; tenantId: string; limit: number }
  | { op: 'startCall'; call: CallRecord }
  | { op: 'endCall'; end: CallEnd }
  | { op: 'addTurn'; turn: TurnRecord }
  | { op: 'createBooking'; input: BookingInput; createdAt: number }
  | { op: 'bookingForCall'; callId: string }
  | { op: 'turnsForCall'; callId: string }
  | { op: 'callById'; callId: string }
  | { op: 'closeInterruptedCalls'; owner: string; withWorkers: boolean }
  | { op: 'purgeTranscripts'; before: number }
  | { op: 'flush' }
  | { op: 'close' };

/** What the writer thread is started with. */
export interface WriterData {
  path: string;
  /** Written on every call row this process starts (CallStoreOwner). */
  owner: string;
  /** DATA_KEY, when set: callback numbers are sealed with it. */
  dataKey?: Buffer;
}

export interface WriterRequest {
  id: number;
  body: WriterOp;
}

/** A failure as it crosses the thread boundary: enough to log it and to tell SQLite's codes apart. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

export type WriterReply =
  | { id: number; ok: true; value: unknown; writeFailed?: WireError; warning?: string }
  | { id: number; ok: false; error: WireError };

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
}

export function fromWireError(w: WireError): Error {
  const err = new Error(w.message) as Error & { code?: string };
  err.name = w.name;
  if (w.code) err.code = w.code;
  return err;
}

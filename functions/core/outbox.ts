/**
 * The events a sweep write records on the loan item (docs/contract.md, Guarantees, a transactional outbox): written in
 * the same transaction as the loan update and published from the table's stream. Every byte of the
 * item is paid for twice in a transaction, so the record is compact: what all events of one write
 * share (asOf, runId, occurredAt, borrowerId, bucket, dpd) is stored once, and the event ids are
 * derived from the loan id (`loanId:type:asOf`, docs/contract.md, Events) rather than stored.
 *
 * A run record (key `RUN_RECORD_KEY_PREFIX + runId`, docs/contract.md, Guarantees) carries the
 * run's `sweep.completed` the same way, and only that: its outbox holds exactly one event, of that
 * type, of the run its key names. A loan's outbox never holds one.
 */
import { RUN_RECORD_KEY_PREFIX } from '../contract/tables';

import { parseBusinessDate } from './dates';
import { isBucket } from './delinquency';
import { eventIdOf, isEventType, type LoanEventType, sweepCompletedEventId } from './events';
import type { Bucket, BusinessDate, EventEnvelope } from './types';
import { isRecord } from './values';

/** The loans-table key of run `runId`'s run record. */
export function runRecordKeyOf(runId: string): string {
  return `${RUN_RECORD_KEY_PREFIX}${runId}`;
}

/** True when `key` (a loans-table `loanId`) is a run record's, not a loan's. */
export function isRunRecordKey(key: string): boolean {
  return key.startsWith(RUN_RECORD_KEY_PREFIX);
}

/** The stored form: one JSON string attribute. */
interface StoredOutbox {
  readonly asOf: string;
  readonly runId: string;
  readonly at: string;
  readonly borrowerId: string;
  readonly bucket: string;
  readonly dpd: number;
  /** `[type, data]` per event, in the order the sweep built them. */
  readonly events: readonly (readonly [string, Record<string, unknown>])[];
}

/**
 * Encodes one write's loan events (all of one loan, asOf and run) for the item's `outbox`, or a
 * run's `sweep.completed` for its run record's.
 * @returns undefined when there are no events (the write removes the attribute).
 */
export function encodeOutbox(events: readonly EventEnvelope[]): string | undefined {
  const first = events[0];
  if (first === undefined) return undefined;
  const stored: StoredOutbox = {
    asOf: first.asOf,
    runId: first.runId,
    at: first.occurredAt,
    borrowerId: first.borrowerId ?? '',
    bucket: first.bucket ?? 'M0',
    dpd: first.dpd ?? 0,
    events: events.map((event) => [event.type, event.data] as const),
  };
  return JSON.stringify(stored);
}

/** What a stored outbox holds, or why it cannot be read. */
export type DecodedOutbox =
  | { readonly ok: true; readonly events: readonly EventEnvelope[] }
  | { readonly ok: false; readonly reason: string };

function decodeStored(raw: unknown, runRecord: boolean): StoredOutbox | string {
  if (!isRecord(raw)) return 'not an object';
  const { asOf, runId, at, borrowerId, bucket, dpd, events } = raw;
  if (parseBusinessDate(asOf) === undefined) return 'asOf: not a YYYY-MM-DD date';
  if (typeof runId !== 'string' || runId.length === 0) return 'runId: not a non-empty string';
  if (typeof at !== 'string' || at.length === 0) return 'at: not a non-empty string';
  if (typeof borrowerId !== 'string') return 'borrowerId: not a string';
  if (!isBucket(bucket)) return 'bucket: not a bucket';
  if (!Number.isSafeInteger(dpd) || (dpd as number) < 0) return 'dpd: not an integer ≥ 0';
  if (!Array.isArray(events)) return 'events: not a list';
  if (runRecord && events.length !== 1) return 'events: a run record holds exactly one event';
  for (const [index, entry] of events.entries()) {
    if (!Array.isArray(entry) || entry.length !== 2) return `events[${index}]: not a [type, data]`;
    if (!isEventType(entry[0])) return `events[${index}]: unknown type`;
    // sweep.completed only in a run record, and nothing else there.
    if ((entry[0] === 'sweep.completed') !== runRecord) {
      return runRecord
        ? `events[${index}]: a run record holds sweep.completed only`
        : `events[${index}]: sweep.completed is recorded in a run record only`;
    }
    if (!isRecord(entry[1])) return `events[${index}]: data is not an object`;
  }
  return raw as unknown as StoredOutbox;
}

/**
 * Rebuilds the full envelopes (docs/contract.md, Events) of a stored outbox for the loan `loanId`, or for the run
 * record of that key (`sweep.completed`: no loan, borrower, bucket or dpd).
 * @param value the item's `outbox` attribute as read (absent → no events).
 */
export function decodeOutbox(value: unknown, loanId: string): DecodedOutbox {
  if (value === undefined || value === null) return { ok: true, events: [] };
  if (typeof value !== 'string') return { ok: false, reason: 'outbox: not a string' };
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'outbox: not valid JSON' };
  }
  const runRecord = isRunRecordKey(loanId);
  const stored = decodeStored(raw, runRecord);
  if (typeof stored === 'string') return { ok: false, reason: `outbox.${stored}` };
  const asOf = stored.asOf as BusinessDate;
  if (runRecord) {
    // The key names the run: a record cannot speak for another run's id.
    if (runRecordKeyOf(stored.runId) !== loanId) {
      return { ok: false, reason: "outbox.runId: not the run its record's key names" };
    }
    const data = stored.events[0]?.[1] ?? {};
    const completed: EventEnvelope = {
      id: sweepCompletedEventId(asOf, stored.runId),
      type: 'sweep.completed',
      schemaVersion: 1,
      asOf,
      occurredAt: stored.at,
      runId: stored.runId,
      data,
    };
    return { ok: true, events: [completed] };
  }
  const events = stored.events.map(
    ([type, data]): EventEnvelope => ({
      id: eventIdOf(type as LoanEventType, asOf, loanId),
      type: type as LoanEventType,
      schemaVersion: 1,
      asOf,
      occurredAt: stored.at,
      runId: stored.runId,
      loanId,
      borrowerId: stored.borrowerId,
      bucket: stored.bucket as Bucket,
      dpd: stored.dpd,
      data,
    }),
  );
  return { ok: true, events };
}

/**
 * Counts a batch of events into the daily reports exactly once: one transaction per batch with one
 * update per business date, the loans' credit records the events change (read first, written
 * under a version condition) and one marker per event id; ids counted before are dropped and the
 * rest retried; write conflicts on the hot report item are retried with backoff. When the batch's
 * transaction fails for any other reason (an event the table cannot store), each event is
 * committed on its own, so only the bad one fails.
 */
import {
  creditRecordKey,
  creditRecordsOf,
  mergeCreditRecords,
  sameCreditRecord,
} from '../core/credit-records';
import type { ParsedEvent } from '../core/event-message';
import {
  EMPTY_DELTA,
  isEmptyDelta,
  mergeDeltas,
  type ReportDelta,
  reportDeltaOf,
  withRunsUnlisted,
} from '../core/report';
import type { BusinessDate } from '../core/types';
import type {
  CommitOutcome,
  CreditRecordWrite,
  DateDelta,
  RejectedEvent,
  ReportStore,
} from './ports';

/** How long a counted event id is remembered: longer than SQS can hold a message (14 days). */
export const EVENT_MARKER_TTL_SECONDS = 35 * 24 * 60 * 60;

/** One parsed event and the SQS messages that carried it (a batch may hold duplicates). */
export interface IncomingEvent {
  readonly messageId: string;
  readonly event: ParsedEvent;
}

export interface CountingDeps {
  readonly store: ReportStore;
  readonly now: () => Date;
  /** Waits `ms` milliseconds (injected so tests do not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Commit attempts on write conflicts before the messages are failed. */
  readonly maxConflictAttempts?: number;
}

export interface CountingResult {
  /** Events newly counted by this call (their deltas are in the reports now). */
  readonly counted: readonly ParsedEvent[];
  /** Event ids that had been counted before: acknowledged without counting. */
  readonly duplicates: readonly string[];
  /**
   * Messages whose events could not be committed (conflicts outlasting the retries, or
   * `rejected`): report them as batch item failures.
   */
  readonly failedMessageIds: readonly string[];
  /** Events whose own commit failed with an error, for the logs (their messages are failed). */
  readonly rejected: readonly RejectedEvent[];
}

interface PendingEvent {
  readonly event: ParsedEvent;
  readonly messageIds: string[];
}

/** What a commit loop ended with: counted, or failed after too many conflicts. */
interface CommitResult {
  readonly counted: readonly ParsedEvent[];
  readonly conflicted: readonly PendingEvent[];
}

const BASE_BACKOFF_MS = 40;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The deltas of `events` per date; dates in `unlisted` count their runs without listing them. */
function perDate(events: readonly ParsedEvent[], unlisted: ReadonlySet<BusinessDate>): DateDelta[] {
  const byDate = new Map<BusinessDate, ReportDelta>();
  for (const event of events) {
    byDate.set(
      event.asOf,
      mergeDeltas(byDate.get(event.asOf) ?? EMPTY_DELTA, reportDeltaOf(event)),
    );
  }
  return [...byDate].map(([asOf, delta]) => ({
    asOf,
    delta: unlisted.has(asOf) ? withRunsUnlisted(delta) : delta,
  }));
}

/**
 * The credit records `events` change: each loan's record of the month read as stored and merged
 * with what the events say. A record the events leave as it was needs no write (a redelivery).
 */
async function creditRecordWrites(
  events: readonly ParsedEvent[],
  store: ReportStore,
): Promise<CreditRecordWrite[]> {
  const said = creditRecordsOf(events);
  if (said.length === 0) return [];
  const stored = await store.readCreditRecords(said);
  return said.flatMap((record) => {
    const known = stored.get(creditRecordKey(record));
    if (!known) return [{ record }];
    const merged = mergeCreditRecords(known.record, record);
    if (sameCreditRecord(merged, known.record)) return [];
    return [{ record: merged, readVersion: known.version }];
  });
}

/**
 * Commits `entries` in one transaction until it succeeds: ids counted before are dropped from
 * `entries` into `duplicates` (both mutated, so a caller that catches an error sees what is left),
 * conflicts are retried with backoff up to `maxAttempts`. Any other error is thrown, and the
 * failed attempt wrote nothing.
 */
async function commitUntilDone(
  entries: PendingEvent[],
  duplicates: string[],
  expiresAt: number,
  deps: CountingDeps,
): Promise<CommitResult> {
  const sleep = deps.sleep ?? defaultSleep;
  const maxAttempts = deps.maxConflictAttempts ?? 6;
  let conflicts = 0;
  const unlisted = new Set<BusinessDate>();
  while (entries.length > 0) {
    const events = entries.map(({ event }) => event);
    const outcome: CommitOutcome = await deps.store.commit(
      perDate(events, unlisted),
      await creditRecordWrites(events, deps.store),
      events.map((event) => event.id),
      expiresAt,
    );
    if (outcome.kind === 'committed') return { counted: events, conflicted: [] };
    if (outcome.kind === 'already-counted') {
      const seen = new Set(outcome.eventIds);
      duplicates.push(...outcome.eventIds);
      const left = entries.filter(({ event }) => !seen.has(event.id));
      entries.splice(0, entries.length, ...left);
      continue;
    }
    if (outcome.kind === 'runs-full') {
      for (const asOf of outcome.dates) unlisted.add(asOf);
      continue;
    }
    // A conflict, or a credit record another writer changed since it was read: read, try again.
    conflicts += 1;
    if (conflicts >= maxAttempts) return { counted: [], conflicted: [...entries] };
    // Full jitter: concurrent invocations updating the same date's item spread out.
    await sleep(Math.random() * BASE_BACKOFF_MS * 2 ** conflicts);
  }
  return { counted: [], conflicted: [] };
}

/**
 * Counts `incoming` into the reports. A batch is one transaction; if it fails with an error (not
 * a conflict or a duplicate), each event is committed on its own, so an event the table cannot
 * store fails alone and the good events are counted (once: their markers make every retry exact).
 * Errors before any commit (creating the day's report item) are thrown: the caller fails the batch.
 */
export async function countEvents(
  incoming: readonly IncomingEvent[],
  deps: CountingDeps,
): Promise<CountingResult> {
  const result = await countOnce(incoming, deps);
  // Counted now or before (a redelivery after a failed completion step tries it again).
  const ids = new Set([...result.counted.map((event) => event.id), ...result.duplicates]);
  await completeRuns(
    incoming.map(({ event }) => event).filter((event) => ids.has(event.id)),
    deps.store,
  );
  return result;
}

/**
 * Marks each date's report complete whose run has now had every recorded event counted:
 * tried for each (date, run) the counted events name, after their counts are written.
 */
async function completeRuns(events: readonly ParsedEvent[], store: ReportStore): Promise<void> {
  const pairs = new Map(events.map((event) => [`${event.asOf}\u0000${event.runId}`, event]));
  for (const event of pairs.values()) await store.completeIfCounted(event.asOf, event.runId);
}

async function countOnce(
  incoming: readonly IncomingEvent[],
  deps: CountingDeps,
): Promise<CountingResult> {
  // One transaction may not touch an item twice: an event delivered twice in one batch counts once.
  const byId = new Map<string, PendingEvent>();
  for (const { messageId, event } of incoming) {
    const entry = byId.get(event.id);
    if (entry) entry.messageIds.push(messageId);
    else byId.set(event.id, { event, messageIds: [messageId] });
  }
  // Events that change no counter (e.g. a bucket move between M1 and M2) need no write at all.
  const pending = [...byId.values()].filter(({ event }) => !isEmptyDelta(reportDeltaOf(event)));
  const duplicates: string[] = [];
  if (pending.length === 0) {
    return { counted: [], duplicates, failedMessageIds: [], rejected: [] };
  }

  await deps.store.ensureReports([...new Set(pending.map(({ event }) => event.asOf))]);
  const expiresAt = Math.floor(deps.now().getTime() / 1000) + EVENT_MARKER_TTL_SECONDS;
  const failedOf = (entries: readonly PendingEvent[]) =>
    entries.flatMap(({ messageIds }) => messageIds);
  try {
    const { counted, conflicted } = await commitUntilDone(pending, duplicates, expiresAt, deps);
    return { counted, duplicates, failedMessageIds: failedOf(conflicted), rejected: [] };
  } catch (batchError) {
    // Nothing of the batch was written; what is left of it is committed event by event, in order
    // (one at a time: they share the day's report item and would only conflict with each other).
    const counted: ParsedEvent[] = [];
    const failed: string[] = [];
    const rejected: RejectedEvent[] = [];
    const alone = pending.length === 1;
    for (const entry of [...pending]) {
      try {
        if (alone) throw batchError;
        const result = await commitUntilDone([entry], duplicates, expiresAt, deps);
        counted.push(...result.counted);
        failed.push(...failedOf(result.conflicted));
      } catch (error) {
        rejected.push({ eventId: entry.event.id, messageIds: entry.messageIds, error });
        failed.push(...entry.messageIds);
      }
    }
    return { counted, duplicates, failedMessageIds: failed, rejected };
  }
}

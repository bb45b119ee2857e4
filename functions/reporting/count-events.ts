/**
 * Counts a batch of events into the daily reports exactly once: one transaction per batch with one
 * update per business date and one marker per event id; ids counted before are dropped and the
 * rest retried; write conflicts on the hot report item are retried with backoff.
 */
import type { CommitOutcome, DateDelta, ReportStore } from '../adapters/report-store';
import type { ParsedEvent } from '../core/event-message';
import {
  EMPTY_DELTA,
  isEmptyDelta,
  mergeDeltas,
  type ReportDelta,
  reportDeltaOf,
} from '../core/report';
import type { BusinessDate } from '../core/types';

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
  /** Messages whose events could not be committed: report them as batch item failures. */
  readonly failedMessageIds: readonly string[];
}

const BASE_BACKOFF_MS = 40;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function perDate(events: readonly ParsedEvent[]): DateDelta[] {
  const byDate = new Map<BusinessDate, ReportDelta>();
  for (const event of events) {
    byDate.set(
      event.asOf,
      mergeDeltas(byDate.get(event.asOf) ?? EMPTY_DELTA, reportDeltaOf(event)),
    );
  }
  return [...byDate].map(([asOf, delta]) => ({ asOf, delta }));
}

/**
 * Counts `incoming` into the reports. Errors other than conflicts and duplicates are thrown, so
 * the caller fails the whole batch and SQS redelivers it (markers keep the retry exact).
 */
export async function countEvents(
  incoming: readonly IncomingEvent[],
  deps: CountingDeps,
): Promise<CountingResult> {
  const sleep = deps.sleep ?? defaultSleep;
  const maxAttempts = deps.maxConflictAttempts ?? 6;
  // One transaction may not touch an item twice: an event delivered twice in one batch counts once.
  const byId = new Map<string, { event: ParsedEvent; messageIds: string[] }>();
  for (const { messageId, event } of incoming) {
    const entry = byId.get(event.id);
    if (entry) entry.messageIds.push(messageId);
    else byId.set(event.id, { event, messageIds: [messageId] });
  }
  // Events that change no counter (e.g. a bucket move between M1 and M2) need no write at all.
  let pending = [...byId.values()].filter(({ event }) => !isEmptyDelta(reportDeltaOf(event)));
  const duplicates: string[] = [];
  if (pending.length === 0) return { counted: [], duplicates, failedMessageIds: [] };

  await deps.store.ensureReports([...new Set(pending.map(({ event }) => event.asOf))]);
  const expiresAt = Math.floor(deps.now().getTime() / 1000) + EVENT_MARKER_TTL_SECONDS;
  let conflicts = 0;
  while (pending.length > 0) {
    const events = pending.map(({ event }) => event);
    const outcome: CommitOutcome = await deps.store.commit(
      perDate(events),
      events.map((event) => event.id),
      expiresAt,
    );
    if (outcome.kind === 'committed') return { counted: events, duplicates, failedMessageIds: [] };
    if (outcome.kind === 'already-counted') {
      const seen = new Set(outcome.eventIds);
      duplicates.push(...outcome.eventIds);
      pending = pending.filter(({ event }) => !seen.has(event.id));
      continue;
    }
    conflicts += 1;
    if (conflicts >= maxAttempts) break;
    // Full jitter: concurrent invocations updating the same date's item spread out.
    await sleep(Math.random() * BASE_BACKOFF_MS * 2 ** conflicts);
  }
  return {
    counted: [],
    duplicates,
    failedMessageIds: pending.flatMap(({ messageIds }) => messageIds),
  };
}

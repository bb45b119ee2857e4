/**
 * The stream publisher's work on one batch of loans-table writes (docs/contract.md, Guarantees and
 * Events). For each write: the events it recorded (in its new outbox and not in its old one, so an
 * upstream write that leaves the outbox in place publishes nothing) are published, packed across
 * writes; an ACTIVE loan the due index can never bring to the sweep is reported.
 *
 * What cannot succeed never holds the batch: an event the topic can never accept, and a write whose
 * recorded events cannot be read, are reported (the failure path: a log line, a metric, an alarm)
 * and their write counts as done. Only a passing failure (throttling, an outage) makes the batch
 * retried, from the first write it touched, as Lambda does for a stream (it re-delivers that record
 * and every later one): the events after that write are not sent in this invocation, the events the
 * topic already accepted are remembered and not sent again when the retry brings them back, and
 * what each write ends in is reported by the invocation that finishes it, once.
 */
import type { EventEnvelope, PolicyBook } from '../core/types';
import type { EventPublisher, LoanTableWrite, PublishFailure, PublishResult } from './ports';
import { type UnreachableLoan, unreachableLoanOf } from './reachability';

/** An event the topic can never accept as it is: it goes to the failure path, never retried. */
export interface UnpublishableEvent {
  /** The item that recorded it (a loan, or a run record `#run#…`). */
  readonly loanId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly reason: string;
}

/** A write whose recorded events cannot be read: nothing of them is published. */
export interface UnreadableWrite {
  readonly loanId?: string;
  readonly sequenceNumber?: string;
  readonly reason: string;
}

/** What one batch did, for metrics and logs. */
export interface BatchReport {
  readonly records: number;
  /** Events the topic accepted. */
  readonly published: number;
  /** Events left out because this publisher had them accepted already (a retried batch). */
  readonly alreadyPublished: number;
  /** Calls made to the topic. */
  readonly calls: number;
  /** Events still failing for a passing reason after the retries: their writes are retried. */
  readonly notAccepted: readonly PublishFailure[];
  readonly unpublishable: readonly UnpublishableEvent[];
  readonly unreadable: readonly UnreadableWrite[];
  readonly unreachable: readonly UnreachableLoan[];
  /** The sequence number of the record Lambda is to retry the batch from; absent when all done. */
  readonly retryFrom?: string;
}

/** What the publisher works with. */
export interface PublisherDependencies {
  readonly publisher: EventPublisher;
  /** The fee policies: they say which instalments are unpaid. */
  readonly policyBook: PolicyBook;
}

/** Handles one batch of writes, in stream order. */
export type PublisherService = (writes: readonly LoanTableWrite[]) => Promise<BatchReport>;

const NOTHING_PUBLISHED: PublishResult = { accepted: [], failed: [], unsent: [], calls: 0 };

/**
 * How many accepted event ids a publisher remembers: a few full batches (100 records of a dozen
 * events each), a few hundred kilobytes.
 */
export const REMEMBERED_IDS = 5_000;

/** The ids most recently accepted, at most `capacity`, the oldest forgotten first. */
function recentIds(capacity: number) {
  const ids = new Set<string>();
  return {
    has: (id: string) => ids.has(id),
    add(id: string) {
      ids.delete(id);
      ids.add(id);
      if (ids.size > capacity) ids.delete(ids.values().next().value as string);
    },
  };
}

/** Thrown when the record to retry from has no sequence number to name it by. */
export class UnnamedRecordError extends Error {
  constructor() {
    super('a stream record to retry has no sequence number; the whole batch is retried');
    this.name = 'UnnamedRecordError';
  }
}

/** Builds the batch handler. */
export function createPublisherService(deps: PublisherDependencies): PublisherService {
  // Lives as long as the assembly (an execution environment): what a retry brings back is
  // likely to have been accepted by this very publisher moments ago.
  const accepted = recentIds(REMEMBERED_IDS);
  return async (writes) => {
    const events: EventEnvelope[] = [];
    let alreadyPublished = 0;
    /** The first write that recorded each event id. */
    const owner = new Map<string, number>();
    const byId = new Map<string, EventEnvelope>();
    writes.forEach((write, index) => {
      if (!write.recorded.ok) return;
      for (const event of write.recorded.events) {
        if (owner.has(event.id)) continue;
        owner.set(event.id, index);
        byId.set(event.id, event);
        if (accepted.has(event.id)) alreadyPublished++;
        else events.push(event);
      }
    });
    const result =
      events.length === 0
        ? NOTHING_PUBLISHED
        : await deps.publisher.publish(events, { stopAfterFailure: true });
    for (const id of result.accepted) accepted.add(id);

    // Lambda retries from the lowest failed record and re-delivers every record after it.
    const notAccepted = result.failed.filter((failure) => !failure.permanent);
    let retryIndex: number | undefined;
    for (const id of [...notAccepted.map((failure) => failure.id), ...result.unsent]) {
      const index = owner.get(id);
      if (index !== undefined && (retryIndex === undefined || index < retryIndex)) {
        retryIndex = index;
      }
    }
    const done = (index: number | undefined) =>
      index !== undefined && (retryIndex === undefined || index < retryIndex);

    const unpublishable: UnpublishableEvent[] = [];
    for (const failure of result.failed) {
      const index = owner.get(failure.id);
      if (!failure.permanent || !done(index)) continue;
      unpublishable.push({
        loanId: writes[index as number]?.loanId ?? '',
        eventId: failure.id,
        eventType: byId.get(failure.id)?.type ?? 'unknown',
        reason: failure.reason,
      });
    }
    const unreadable: UnreadableWrite[] = [];
    const unreachable: UnreachableLoan[] = [];
    writes.forEach((write, index) => {
      if (!done(index)) return;
      if (!write.recorded.ok) {
        unreadable.push({
          ...(write.loanId === undefined ? {} : { loanId: write.loanId }),
          ...(write.sequenceNumber === undefined ? {} : { sequenceNumber: write.sequenceNumber }),
          reason: write.recorded.reason,
        });
      }
      const loan = unreachableLoanOf(write, deps.policyBook);
      if (loan) unreachable.push(loan);
    });

    let retryFrom: string | undefined;
    if (retryIndex !== undefined) {
      retryFrom = writes[retryIndex]?.sequenceNumber;
      if (retryFrom === undefined) throw new UnnamedRecordError();
    }
    return {
      records: writes.length,
      published: result.accepted.length,
      alreadyPublished,
      calls: result.calls,
      notAccepted,
      unpublishable,
      unreadable,
      unreachable,
      ...(retryFrom === undefined ? {} : { retryFrom }),
    };
  };
}

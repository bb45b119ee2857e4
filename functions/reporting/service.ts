/**
 * The reporting function's work on one SQS batch (docs/contract.md, Reports): parse each message,
 * count the events exactly once, tell the observer what the batch came to, and name the messages
 * to retry. It knows no AWS client and no Powertools object: the wiring gives it its ports.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseEventBatch } from '../core/event-message';
import { type CountingDeps, countEvents } from './count-events';
import type { BatchReport, ReportingObserver, ReportStore } from './ports';

/** What the service is built on. */
export interface ReportingServiceDeps {
  readonly store: ReportStore;
  readonly observer: ReportingObserver;
  readonly now: () => Date;
  /** Waits `ms` milliseconds (injected so tests of conflict retries do not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Commit attempts on write conflicts before the messages are failed. */
  readonly maxConflictAttempts?: number;
}

/** The reporting function, ready to take SQS batches. */
export interface ReportingService {
  /**
   * Counts one batch. Malformed messages fail alone (and reach the DLQ after retries), and so
   * does an event the store cannot hold; messages whose commit kept conflicting are retried by
   * SQS; nothing is counted twice.
   */
  handle(event: SQSEvent): Promise<SQSBatchResponse>;
}

/** Builds the reporting service on `deps`. */
export function createReportingService(deps: ReportingServiceDeps): ReportingService {
  const counting: CountingDeps = {
    store: deps.store,
    now: deps.now,
    ...(deps.sleep && { sleep: deps.sleep }),
    ...(deps.maxConflictAttempts !== undefined && {
      maxConflictAttempts: deps.maxConflictAttempts,
    }),
  };
  return {
    async handle(event) {
      const { events: incoming, malformed } = parseEventBatch(event.Records);
      const failed = malformed.map(({ messageId }) => messageId);
      let report: BatchReport;
      try {
        const result = await countEvents(incoming, counting);
        failed.push(...result.failedMessageIds);
        const rejectedMessages = new Set(result.rejected.flatMap(({ messageIds }) => messageIds));
        report = {
          malformed,
          counted: result.counted,
          duplicates: result.duplicates,
          rejected: result.rejected,
          conflicted: result.failedMessageIds.filter((id) => !rejectedMessages.has(id)),
        };
      } catch (error) {
        // Failed before any commit (the day's report item could not be prepared): nothing was
        // counted, so the whole batch is safe to redeliver.
        failed.push(...incoming.map(({ messageId }) => messageId));
        report = {
          malformed,
          counted: [],
          duplicates: [],
          rejected: [],
          conflicted: [],
          failure: error,
        };
      }
      deps.observer(report);
      return {
        batchItemFailures: [...new Set(failed)].map((itemIdentifier) => ({ itemIdentifier })),
      };
    },
  };
}

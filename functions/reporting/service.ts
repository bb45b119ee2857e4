/**
 * The reporting function's work on one SQS batch (SPEC §8): parse each message, count the events
 * exactly once, emit metrics for what was newly counted, and name the messages to retry.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ReportStore } from '../adapters/report-store';
import { METRIC_NAMES } from '../contract/observability';
import { type ParsedEvent, parseEventMessage } from '../core/event-message';
import { bounded } from '../core/values';
import { countEvents, type IncomingEvent, type RejectedEvent } from './count-events';

export interface ReportingDeps {
  readonly store: ReportStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** Injected so tests of conflict retries do not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

function addTo(map: Map<string, number>, key: string, value: number) {
  map.set(key, (map.get(key) ?? 0) + value);
}

/**
 * EMF metrics for newly counted events: overdue loans by bucket, charges and reversals by currency
 * (minor units).
 */
function emitMetrics(metrics: Metrics, counted: readonly ParsedEvent[]) {
  const byBucket = new Map<string, number>();
  const charges = new Map<string, number>();
  const reversals = new Map<string, number>();
  for (const event of counted) {
    if (event.type === 'loan.overdue') addTo(byBucket, event.data.bucket, 1);
    if (event.type === 'loan.fee_applied') {
      addTo(charges, event.data.currency, event.data.lateFee + event.data.penaltyInterest);
    }
    if (event.type === 'loan.charges_reversed') {
      addTo(
        reversals,
        event.data.currency,
        event.data.lateFeeReversed + event.data.penaltyReversed,
      );
    }
  }
  for (const [bucket, count] of byBucket) {
    metrics
      .singleMetric()
      .addDimension('bucket', bucket)
      .addMetric(METRIC_NAMES.reporting.overdueLoans, MetricUnit.Count, count);
  }
  for (const [currency, amount] of charges) {
    metrics
      .singleMetric()
      .addDimension('currency', currency)
      .addMetric(METRIC_NAMES.reporting.chargesApplied, MetricUnit.Count, amount);
  }
  for (const [currency, amount] of reversals) {
    metrics
      .singleMetric()
      .addDimension('currency', currency)
      .addMetric(METRIC_NAMES.reporting.chargesReversed, MetricUnit.Count, amount);
  }
  metrics.addMetric(METRIC_NAMES.reporting.eventsCounted, MetricUnit.Count, counted.length);
}

/** Longest event id a log line shows (ids are untrusted and may be long). */
const MAX_LOGGED_ID_CHARS = 200;

/** A rejected event for the log: a bounded id, and the error's name and message (no item data). */
function describeRejected({ eventId, messageIds, error }: RejectedEvent) {
  return {
    eventId: bounded(eventId, MAX_LOGGED_ID_CHARS),
    messageIds,
    error:
      error instanceof Error
        ? `${error.name}: ${bounded(error.message, 500)}`
        : bounded(String(error), 500),
  };
}

/**
 * Builds the batch handler. Malformed messages fail alone (and reach the DLQ after retries), and
 * so does an event the table cannot store; messages whose commit kept conflicting are retried by
 * SQS; nothing is counted twice.
 */
export function createReportingService(deps: ReportingDeps) {
  const { logger, metrics } = deps;
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed: string[] = [];
    const incoming: IncomingEvent[] = [];
    for (const record of event.Records) {
      const parsed = parseEventMessage(record.body);
      if (parsed.ok) {
        incoming.push({ messageId: record.messageId, event: parsed.event });
      } else {
        logger.error('malformed event message', {
          messageId: record.messageId,
          reason: parsed.reason,
        });
        failed.push(record.messageId);
      }
    }
    if (failed.length > 0)
      metrics.addMetric(METRIC_NAMES.reporting.malformedEvents, MetricUnit.Count, failed.length);
    try {
      const result = await countEvents(incoming, deps);
      failed.push(...result.failedMessageIds);
      if (result.duplicates.length > 0) {
        logger.info('events already counted', {
          eventIds: result.duplicates.map((id) => bounded(id, MAX_LOGGED_ID_CHARS)),
        });
        metrics.addMetric(
          METRIC_NAMES.reporting.duplicateEvents,
          MetricUnit.Count,
          result.duplicates.length,
        );
      }
      for (const rejected of result.rejected) {
        logger.error('event could not be counted; it fails alone', describeRejected(rejected));
      }
      if (result.rejected.length > 0) {
        metrics.addMetric(
          METRIC_NAMES.reporting.uncountableEvents,
          MetricUnit.Count,
          result.rejected.length,
        );
      }
      const rejectedMessages = new Set(result.rejected.flatMap(({ messageIds }) => messageIds));
      const conflicted = result.failedMessageIds.filter((id) => !rejectedMessages.has(id));
      if (conflicted.length > 0) {
        logger.warn('report item kept conflicting; messages will be redelivered', {
          messageIds: conflicted,
        });
      }
      emitMetrics(metrics, result.counted);
    } catch (error) {
      // Failed before any commit (the day's report item could not be prepared): nothing was
      // counted, so the whole batch is safe to redeliver.
      logger.error('counting failed; the batch will be redelivered', { error: error as Error });
      failed.push(...incoming.map(({ messageId }) => messageId));
    }
    return {
      batchItemFailures: [...new Set(failed)].map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

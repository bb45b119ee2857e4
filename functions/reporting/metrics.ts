/**
 * The reporting function's logs and metrics (namespace `OverdueSweep`, service `reporting`), made
 * from what each batch came to. Metrics count newly counted events only, so a redelivery does not
 * count twice in CloudWatch either. Logs never quote an event's data; ids are bounded.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES } from '../contract/observability';
import type { ParsedEvent } from '../core/event-message';
import { bounded } from '../core/values';
import type { BatchReport, RejectedEvent, ReportingObserver } from './ports';

/** Longest event id a log line shows (ids are untrusted and may be long). */
const MAX_LOGGED_ID_CHARS = 200;

const names = METRIC_NAMES.reporting;

function addTo(map: Map<string, number>, key: string, value: number) {
  map.set(key, (map.get(key) ?? 0) + value);
}

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
 * EMF metrics for newly counted events: overdue loans by bucket, charges and reversals by currency
 * (minor units), and the count of events.
 */
function countedMetrics(metrics: Metrics, counted: readonly ParsedEvent[]) {
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
  const single = (dimension: string, entries: Map<string, number>, name: string) => {
    for (const [value, amount] of entries) {
      metrics
        .singleMetric()
        .addDimension(dimension, value)
        .addMetric(name, MetricUnit.Count, amount);
    }
  };
  single('bucket', byBucket, names.overdueLoans);
  single('currency', charges, names.chargesApplied);
  single('currency', reversals, names.chargesReversed);
  metrics.addMetric(names.eventsCounted, MetricUnit.Count, counted.length);
}

/** The observer the handler gives the service: each batch's logs and metrics. */
export function reportingObserver(logger: Logger, metrics: Metrics): ReportingObserver {
  return (report: BatchReport) => {
    for (const { messageId, reason } of report.malformed) {
      logger.error('malformed event message', { messageId, reason });
    }
    if (report.malformed.length > 0) {
      metrics.addMetric(names.malformedEvents, MetricUnit.Count, report.malformed.length);
    }
    if (report.failure !== undefined) {
      logger.error('counting failed; the batch will be redelivered', {
        error: report.failure as Error,
      });
      return;
    }
    if (report.duplicates.length > 0) {
      logger.info('events already counted', {
        eventIds: report.duplicates.map((id) => bounded(id, MAX_LOGGED_ID_CHARS)),
      });
      metrics.addMetric(names.duplicateEvents, MetricUnit.Count, report.duplicates.length);
    }
    for (const rejected of report.rejected) {
      logger.error('event could not be counted; it fails alone', describeRejected(rejected));
    }
    if (report.rejected.length > 0) {
      metrics.addMetric(names.uncountableEvents, MetricUnit.Count, report.rejected.length);
    }
    if (report.conflicted.length > 0) {
      logger.warn('report item kept conflicting; messages will be redelivered', {
        messageIds: report.conflicted,
      });
    }
    countedMetrics(metrics, report.counted);
  };
}

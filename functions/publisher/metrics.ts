/**
 * What ops see of the publisher (namespace `OverdueSweep`, service `publisher`): per invocation,
 * every counter, even when zero (a quiet day shows zeros, not gaps), and a log line for each thing
 * that needs a person: an event the topic can never accept, recorded events that cannot be read, an
 * unreachable loan. Log lines name loans and events by id and never carry event data or personal
 * values. The alarms watch `EventsUnpublishable`, `UnreadableOutboxes` and `UnreachableLoans`.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES } from '../contract/observability';
import type { BatchReport } from './service';

/** The log lines the publisher writes (Powertools' Logger has this shape). */
export interface PublisherLog {
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** Turns each batch's report into metrics on `metrics` and log lines on `log`. */
export function publisherMetrics(
  log: PublisherLog,
  metrics: Metrics,
): (report: BatchReport) => void {
  const names = METRIC_NAMES.publisher;
  return (report) => {
    for (const event of report.unpublishable) {
      log.error('event cannot be published; it is not sent again', { ...event });
    }
    for (const write of report.unreadable) {
      log.error('recorded events cannot be read; nothing of them is published', { ...write });
    }
    for (const loan of report.unreachable) log.error('unreachable loan', { ...loan });
    for (const failure of report.notAccepted) {
      log.warn('event not accepted by SNS; Lambda retries its record', {
        eventId: failure.id,
        reason: failure.reason,
      });
    }
    const counts: [string, number][] = [
      [names.eventsPublished, report.published],
      [names.publishBatchCalls, report.calls],
      [names.eventsNotAccepted, report.notAccepted.length],
      [names.eventsUnpublishable, report.unpublishable.length],
      [names.unreadableOutboxes, report.unreadable.length],
      [names.unreachableLoans, report.unreachable.length],
    ];
    for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
  };
}

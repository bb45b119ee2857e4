/**
 * The reminder function's logs and metrics (namespace `OverdueSweep`, service `reminder`), made
 * from what each batch came to. Logs name events and loans by bounded ids, never a borrower id or
 * an item's data.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES } from '../contract/observability';
import { bounded } from '../core/values';
import type { BatchReport, ReminderObserver, Suppressed } from './ports';

/** Longest id a log line shows (ids are untrusted and may be long). */
const MAX_LOGGED_ID_CHARS = 200;

const names = METRIC_NAMES.reminder;

const idsOf = ({ event }: Suppressed) => ({
  eventId: bounded(event.id, MAX_LOGGED_ID_CHARS),
  ...(event.type !== 'sweep.completed' && { loanId: bounded(event.loanId, MAX_LOGGED_ID_CHARS) }),
  asOf: event.asOf,
});

function describeError(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${bounded(error.message, 500)}`
    : bounded(String(error), 500);
}

/** The observer the handler gives the service: each batch's logs and metrics. */
export function reminderObserver(logger: Logger, metrics: Metrics): ReminderObserver {
  const count = (name: string, value: number) => {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  };
  return (report: BatchReport) => {
    for (const { messageId, reason } of report.malformed) {
      logger.error('malformed event message; SQS will redeliver it', { messageId, reason });
    }
    count(names.malformedEvents, report.malformed.length);
    for (const event of report.ignored) {
      logger.warn('event type is not for reminders; check the filter policy', {
        eventId: bounded(event.id, MAX_LOGGED_ID_CHARS),
      });
    }
    const unreadable = [...report.suppressed, ...report.noticesWithoutLoan].filter(
      (s) => s.reason === 'loan-not-found' || s.reason === 'loan-unreadable',
    );
    for (const entry of unreadable) {
      if (entry.reason === 'loan-unreadable') {
        logger.error('loan cannot be parsed; no reminder but a notice', {
          ...idsOf(entry),
          reason: entry.detail,
        });
      } else logger.warn('loan not found; no reminder but a notice', idsOf(entry));
    }
    count(names.remindersSkipped, unreadable.length);
    const byReason = new Map<string, number>();
    for (const entry of report.suppressed) {
      logger.debug('no line', { ...idsOf(entry), reason: entry.reason });
      byReason.set(entry.reason, (byReason.get(entry.reason) ?? 0) + 1);
    }
    for (const [reason, value] of byReason) {
      metrics
        .singleMetric()
        .addDimension('reason', reason)
        .addMetric(names.remindersSuppressed, MetricUnit.Count, value);
    }
    // Emitted even when zero, so a quiet batch shows zeros rather than gaps.
    metrics.addMetric(names.remindersCreated, MetricUnit.Count, report.remindersCreated);
    metrics.addMetric(names.linesAdded, MetricUnit.Count, report.linesAdded);
    metrics.addMetric(names.messagesFailed, MetricUnit.Count, report.messagesFailed);
    count(names.linesCapped, report.linesCapped);
    count(names.linesTooLate, report.tooLate.length);
    for (const { date, line } of report.tooLate) {
      logger.warn('reminder already sent; line dropped', {
        loanId: bounded(line.loanId, MAX_LOGGED_ID_CHARS),
        asOf: date,
        kind: line.kind,
      });
    }
    for (const { date, line } of report.moved) {
      logger.info('reminder already sent; notice moved to the next date', {
        loanId: bounded(line.loanId, MAX_LOGGED_ID_CHARS),
        asOf: date,
      });
    }
    if (report.noticesAlreadyPlaced > 0) {
      logger.info('notices already in an earlier reminder; not added again', {
        notices: report.noticesAlreadyPlaced,
      });
    }
    for (const { messageIds, error } of report.failed) {
      logger.error("a borrower's reminders could not be written; SQS will redeliver", {
        messageIds,
        error: describeError(error),
      });
    }
    if (report.failure !== undefined) {
      logger.error('reading the batch failed; the batch will be redelivered', {
        error: describeError(report.failure),
      });
    }
  };
}

/**
 * The reminder function's work on one message (SPEC §7): parse the event, read the loan as it is
 * now, decide, and write at most one reminder per loan and business date.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ReminderItem, SaveReminderResult } from '../adapters/reminder-store';
import { METRIC_NAMES } from '../contract/observability';
import { parseEventMessage } from '../core/event-message';
import { parseLoanItem } from '../core/loan';
import { policyFor } from '../core/policy';
import {
  decideReminder,
  isReminderEvent,
  renderReminderMessage,
  sendAfterOf,
} from '../core/reminders';
import type { PolicyBook } from '../core/types';

export interface ReminderDeps {
  /** Reads a loan item by key, strongly consistent (numbers exact); undefined when absent. */
  readonly readLoan: (loanId: string) => Promise<Record<string, unknown> | undefined>;
  readonly saveReminder: (item: ReminderItem) => Promise<SaveReminderResult>;
  readonly policyBook: PolicyBook;
  readonly businessTimeZone: string;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** A message that can never be processed: fails its record so it reaches the DLQ after retries. */
export class MalformedMessageError extends Error {
  constructor(messageId: string, reason: string) {
    super(`message ${messageId}: ${reason}`);
    this.name = 'MalformedMessageError';
  }
}

/** What happened to one message (for logs and tests). */
export type ReminderOutcome =
  | 'created'
  | 'duplicate'
  | 'suppressed'
  | 'ignored-event-type'
  | 'loan-not-found'
  | 'loan-unreadable';

/**
 * Builds the record handler. Throws (failing only that record) for a malformed message or an AWS
 * error; a loan that is missing or cannot be parsed is a permanent problem: logged and skipped.
 */
export function createReminderRecordHandler(deps: ReminderDeps) {
  const { logger, metrics } = deps;
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);
  return async (record: SQSRecord): Promise<ReminderOutcome> => {
    const parsed = parseEventMessage(record.body);
    if (!parsed.ok) throw new MalformedMessageError(record.messageId, parsed.reason);
    const event = parsed.event;
    if (!isReminderEvent(event)) {
      logger.warn('event type is not for reminders; check the filter policy', {
        eventId: event.id,
      });
      return 'ignored-event-type';
    }
    const context = { eventId: event.id, loanId: event.loanId, asOf: event.asOf };
    const item = await deps.readLoan(event.loanId);
    if (!item) {
      logger.warn('loan not found; no reminder', context);
      count(METRIC_NAMES.reminder.remindersSkipped);
      return 'loan-not-found';
    }
    const loan = parseLoanItem(item);
    if (!loan.ok) {
      logger.error('loan cannot be parsed; no reminder', { ...context, reason: loan.reason });
      count(METRIC_NAMES.reminder.remindersSkipped);
      return 'loan-unreadable';
    }
    const decision = decideReminder(
      event,
      loan.loan,
      policyFor(deps.policyBook, loan.loan.productCode),
    );
    if (!decision.send) {
      logger.info('no reminder', { ...context, reason: decision.reason });
      count(METRIC_NAMES.reminder.remindersSuppressed);
      return 'suppressed';
    }
    const { content, locale } = decision;
    const saved = await deps.saveReminder({
      loanId: loan.loan.loanId,
      asOf: event.asOf,
      borrowerId: loan.loan.borrowerId,
      kind: content.kind,
      locale,
      message: renderReminderMessage(content, locale),
      amount: content.amount,
      currency: content.currency,
      sendAfter: sendAfterOf(event.asOf, deps.businessTimeZone),
      status: 'PENDING',
      eventId: event.id,
      createdAt: deps.now().toISOString(),
    });
    if (saved === 'exists') {
      logger.info('loan already has a reminder for this date', context);
      return 'duplicate';
    }
    count(METRIC_NAMES.reminder.remindersCreated);
    return 'created';
  };
}

/** The SQS batch handler around the record handler: one bad message fails alone. */
export function createReminderBatchHandler(deps: ReminderDeps) {
  const handleRecord = createReminderRecordHandler(deps);
  const recordHandler = async (record: SQSRecord) => {
    try {
      return await handleRecord(record);
    } catch (error) {
      deps.logger.error('message failed; SQS will redeliver it', {
        messageId: record.messageId,
        error: error as Error,
      });
      throw error;
    }
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    // A processor per batch: it keeps per-batch state. A fully failed batch is reported item by
    // item rather than thrown, which SQS treats the same way.
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
}

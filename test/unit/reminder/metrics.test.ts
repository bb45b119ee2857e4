/**
 * The reminder function's observer: each batch's logs and EMF metrics from what the service says
 * the batch came to. Logs name loans and events by bounded ids, never a borrower.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../../functions/contract/observability';
import type { ReminderLine } from '../../../functions/core/reminders';
import { reminderObserver } from '../../../functions/reminder/metrics';
import type { BatchReport } from '../../../functions/reminder/ports';
import { d } from '../../support/events';
import { overdue } from '../../support/reminders';

const names = METRIC_NAMES.reminder;

function capturingLogger() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, extra: Record<string, unknown> = {}) => {
      lines.push({ level, message, extra });
    };
  const logger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
  } as unknown as Logger;
  return { logger, lines };
}

/** The metric values of every EMF document written while `run` runs or left in `metrics`. */
function emitted(metrics: Metrics, run: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  const documents = written.flatMap((text) =>
    text
      .split('\n')
      .filter((line) => line.includes('CloudWatchMetrics'))
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
  return [...documents, metrics.serializeMetrics() as unknown as Record<string, unknown>];
}

const empty: BatchReport = {
  malformed: [],
  ignored: [],
  suppressed: [],
  noticesWithoutLoan: [],
  remindersCreated: 0,
  linesAdded: 0,
  linesCapped: 0,
  tooLate: [],
  moved: [],
  noticesAlreadyPlaced: 0,
  failed: [],
  messagesFailed: 0,
};

const who = { loanId: 'L-1', borrowerId: 'B-secret' };
const line: ReminderLine = { loanId: 'L-1', kind: 'OVERDUE', currency: 'CNY', locale: 'zh-CN' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the reminder observer', () => {
  it('counts reminders, lines, capped and late lines, and suppressions by reason', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'reminder' });
    const { logger } = capturingLogger();
    const observe = reminderObserver(logger, metrics);
    const documents = emitted(metrics, () =>
      observe({
        ...empty,
        remindersCreated: 2,
        linesAdded: 5,
        linesCapped: 1,
        tooLate: [{ date: d('2026-03-02'), line }],
        suppressed: [
          { event: overdue(who, '2026-03-02', 2), reason: 'not-a-reminder-day' },
          { event: overdue(who, '2026-03-03', 2), reason: 'not-a-reminder-day' },
          { event: overdue(who, '2026-03-04', 1), reason: 'opted-out' },
        ],
      }),
    );
    const all = Object.assign({}, ...documents) as Record<string, unknown>;
    expect(all[names.remindersCreated]).toBe(2);
    expect(all[names.linesAdded]).toBe(5);
    expect(all[names.linesCapped]).toBe(1);
    expect(all[names.linesTooLate]).toBe(1);
    // Emitted even when zero: a quiet day shows zeros, and an alarm sees data.
    expect(all[names.messagesFailed]).toBe(0);
    const byReason = documents
      .filter((doc) => doc.reason !== undefined)
      .map((doc) => [doc.reason, doc[names.remindersSuppressed]]);
    expect(byReason).toEqual(
      expect.arrayContaining([
        ['not-a-reminder-day', 2],
        ['opted-out', 1],
      ]),
    );
  });

  it('logs unreadable loans with the reason, failures with the error, and never a borrower id', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'reminder' });
    const { logger, lines } = capturingLogger();
    const observe = reminderObserver(logger, metrics);
    const documents = emitted(metrics, () =>
      observe({
        ...empty,
        malformed: [{ messageId: 'm0', reason: 'body is not JSON (3 characters)' }],
        suppressed: [
          {
            event: overdue(who, '2026-03-02', 1),
            reason: 'loan-unreadable',
            detail: 'currency: "yuan" is not an ISO 4217 code',
          },
        ],
        failed: [{ messageIds: ['m1'], error: new Error('Rate exceeded') }],
        messagesFailed: 1,
      }),
    );
    expect(lines.map((l) => [l.level, l.message])).toEqual(
      expect.arrayContaining([
        ['error', 'malformed event message; SQS will redeliver it'],
        ['error', 'loan cannot be parsed; no reminder but a notice'],
        ['error', "a borrower's reminders could not be written; SQS will redeliver"],
      ]),
    );
    expect(JSON.stringify(lines)).not.toContain('B-secret');
    const all = Object.assign({}, ...documents) as Record<string, unknown>;
    expect(all[names.messagesFailed]).toBe(1);
    expect(all[names.malformedEvents]).toBe(1);
    expect(lines.find((l) => l.message.startsWith('loan cannot'))?.extra.reason).toContain('yuan');
  });
});

/**
 * The reporting function's observer: each batch's logs and EMF metrics, from what the service
 * says the batch came to (a redelivery counts nothing in CloudWatch either).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../../functions/contract/observability';
import { reportingObserver } from '../../../functions/reporting/metrics';
import type { BatchReport } from '../../../functions/reporting/ports';
import { feeAppliedEvent, overdueEvent } from '../../support/events';

const names = METRIC_NAMES.reporting;

function capturingLogger() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, extra: Record<string, unknown> = {}) => {
      lines.push({ level, message, extra });
    };
  const logger = { error: at('error'), warn: at('warn'), info: at('info') } as unknown as Logger;
  return { logger, lines };
}

/** The EMF documents written to stdout while `run` runs, and those left in `metrics`. */
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
  counted: [],
  duplicates: [],
  rejected: [],
  conflicted: [],
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the reporting observer', () => {
  it('emits counts for newly counted events only: overdue by bucket, charges by currency', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'reporting' });
    const { logger } = capturingLogger();
    const documents = emitted(metrics, () =>
      reportingObserver(
        logger,
        metrics,
      )({
        ...empty,
        counted: [overdueEvent('2026-03-07', 7), feeAppliedEvent('2026-03-07', 500, 45)],
        duplicates: ['L-9:loan.overdue:2026-03-07'],
      }),
    );
    const values = Object.assign({}, ...documents.map(({ _aws, ...rest }) => rest));
    expect(values[names.eventsCounted]).toBe(2);
    expect(values[names.duplicateEvents]).toBe(1);
    const overdue = documents.find((doc) => names.overdueLoans in doc);
    expect(overdue).toMatchObject({ bucket: 'M1', [names.overdueLoans]: 1 });
    const charges = documents.find((doc) => names.chargesApplied in doc);
    expect(charges).toMatchObject({ currency: 'CNY', [names.chargesApplied]: 545 });
  });

  it('logs each malformed message and rejected event, bounding long ids', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'reporting' });
    const { logger, lines } = capturingLogger();
    const documents = emitted(metrics, () =>
      reportingObserver(
        logger,
        metrics,
      )({
        ...empty,
        malformed: [{ messageId: 'm1', reason: 'type: not a known event type' }],
        rejected: [
          { eventId: 'x'.repeat(5_000), messageIds: ['m2'], error: new Error('too large') },
        ],
        conflicted: ['m3'],
      }),
    );
    const values = Object.assign({}, ...documents.map(({ _aws, ...rest }) => rest));
    expect(values[names.malformedEvents]).toBe(1);
    expect(values[names.uncountableEvents]).toBe(1);
    expect(lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'error malformed event message',
      'error event could not be counted; it fails alone',
      'warn report item kept conflicting; messages will be redelivered',
    ]);
    expect(String(lines[1]?.extra.eventId).length).toBeLessThanOrEqual(200);
    expect(lines[1]?.extra.error).toBe('Error: too large');
  });

  it('a batch that failed before any commit logs the failure and counts nothing', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'reporting' });
    const { logger, lines } = capturingLogger();
    const documents = emitted(metrics, () =>
      reportingObserver(logger, metrics)({ ...empty, failure: new Error('throttled') }),
    );
    const values = Object.assign({}, ...documents.map(({ _aws, ...rest }) => rest));
    expect(values[names.eventsCounted]).toBeUndefined();
    expect(lines.map(({ message }) => message)).toEqual([
      'counting failed; the batch will be redelivered',
    ]);
  });
});

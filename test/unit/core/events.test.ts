import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../functions/contract/events';
import { bucketOf } from '../../../functions/core/delinquency';
import {
  buildLoanEvent,
  buildSweepCompletedEvent,
  eventAttributesOf,
  eventIdOf,
  messageBodyOf,
  sweepCompletedEventId,
} from '../../../functions/core/events';
import {
  isOverdueOn,
  nextDueDateOf,
  unpaidAmount,
  unpaidPrincipal,
} from '../../../functions/core/installments';
import { d, installment, loan, policy, RUN } from '../../../local/fixtures/loans';

describe('event ids and attributes', () => {
  it('builds ids that a re-run repeats', () => {
    expect(eventIdOf('loan.overdue', d('2026-11-28'), 'L-1')).toBe('L-1:loan.overdue:2026-11-28');
    expect(sweepCompletedEventId(d('2026-11-28'), 'r-9')).toBe('sweep.completed:2026-11-28:r-9');
    expect(EVENT_TYPES).toHaveLength(14);
  });

  it('gives loan events eventType, bucket and dpd attributes', () => {
    const event = buildLoanEvent(
      'loan.delinquency_changed',
      loan(),
      { bucket: 'M2', dpd: 31 },
      d('2026-02-10'),
      RUN,
      {
        from: 'M1',
        to: 'M2',
        dpd: 31,
      },
    );
    expect(event).toMatchObject({
      id: 'L-1:loan.delinquency_changed:2026-02-10',
      schemaVersion: 1,
      borrowerId: 'B-1',
    });
    expect(eventAttributesOf(event)).toEqual({
      eventType: 'loan.delinquency_changed',
      bucket: 'M2',
      dpd: 31,
    });
  });

  it('sends the docs/contract.md, Events envelope as the body: bucket and dpd only as attributes and in data', () => {
    const event = buildLoanEvent(
      'loan.delinquency_changed',
      loan(),
      { bucket: 'M2', dpd: 31 },
      d('2026-02-10'),
      RUN,
      { from: 'M1', to: 'M2', dpd: 31 },
    );
    const body = JSON.parse(messageBodyOf(event));
    expect(Object.keys(body).sort()).toEqual([
      'asOf',
      'borrowerId',
      'data',
      'id',
      'loanId',
      'occurredAt',
      'runId',
      'schemaVersion',
      'type',
    ]);
    expect(body.data).toEqual({ from: 'M1', to: 'M2', dpd: 31 });
  });

  it('gives sweep.completed only its eventType', () => {
    const event = buildSweepCompletedEvent({ loansExamined: 3 }, d('2026-11-28'), RUN);
    expect(event).toMatchObject({
      id: 'sweep.completed:2026-11-28:run-1',
      data: { loansExamined: 3 },
    });
    expect(event.loanId).toBeUndefined();
    expect(eventAttributesOf(event)).toEqual({ eventType: 'sweep.completed' });
  });
});

describe('buckets', () => {
  it.each([
    [0, 'M0'],
    [1, 'M1'],
    [30, 'M1'],
    [31, 'M2'],
    [90, 'M3'],
    [91, 'M4'],
    [150, 'M5'],
    [180, 'M6'],
    [181, 'M7'],
    [5000, 'M7'],
  ])('dpd %i is %s', (dpd, bucket) => {
    expect(bucketOf(dpd)).toBe(bucket);
  });
});

describe('instalment facts', () => {
  const partly = installment({ dueDate: d('2026-01-10'), principalPaid: 4_000, interestPaid: 300 });
  const l = loan({
    installments: [partly, installment({ seq: 2, dueDate: d('2026-02-10') })],
  });

  it('computes unpaid principal and amount', () => {
    expect(unpaidPrincipal(partly)).toBe(6_000);
    expect(unpaidAmount(partly)).toBe(6_000);
  });

  it('finds the next due date and whether the loan is overdue on a date', () => {
    expect(nextDueDateOf(l, policy())).toBe('2026-01-10');
    expect(nextDueDateOf(l, policy({ arrearsTolerance: 6_000 }))).toBe('2026-02-10');
    expect(nextDueDateOf({ ...l, status: 'CHARGED_OFF' }, policy())).toBeNull();
    expect(isOverdueOn(l, policy(), d('2026-01-10'))).toBe(false);
    expect(isOverdueOn(l, policy(), d('2026-01-11'))).toBe(true);
    expect(isOverdueOn(l, policy({ arrearsTolerance: 6_000 }), d('2026-01-11'))).toBe(false);
  });
});

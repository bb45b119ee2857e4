import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventMessage } from '../../../functions/core/event-message';
import {
  EMPTY_DELTA,
  isEmptyDelta,
  mergeDeltas,
  netCharges,
  reportDeltaOf,
  reportRatios,
} from '../../../functions/core/report';
import {
  chargedOffEvent,
  chargesReversedEvent,
  delinquencyChangedEvent,
  dueSoonEvent,
  feeAppliedEvent,
  overdueEvent,
  sweepCompletedEvent,
} from '../../support/events';

describe('parsing event messages', () => {
  it('accepts every event type the sweep builds', () => {
    const events = [
      dueSoonEvent('2026-03-07', 3),
      overdueEvent('2026-03-07', 7),
      feeAppliedEvent('2026-03-07', 500, 45),
      delinquencyChangedEvent('2026-03-07', 'M1', 'M2'),
      chargedOffEvent('2026-03-07', 90_000),
      sweepCompletedEvent('2026-03-07', { runId: 'run-1', complete: true }),
    ];
    for (const event of events) {
      expect(parseEventMessage(JSON.stringify(event))).toEqual({ ok: true, event });
    }
  });

  it('rejects a body that is not JSON', () => {
    const result = parseEventMessage('not json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^body is not JSON/);
  });

  it('rejects an unknown event type', () => {
    const result = parseEventMessage(
      JSON.stringify({ ...overdueEvent('2026-03-07', 7), type: 'loan.exploded' }),
    );
    expect(!result.ok && result.reason).toMatch(/type/);
  });

  it('names each missing or invalid field', () => {
    const { loanId: _loanId, ...withoutLoanId } = overdueEvent('2026-03-07', 7);
    const broken = {
      ...withoutLoanId,
      asOf: '2026-02-30',
      data: { ...withoutLoanId.data, amountOverdue: 1.5 },
    };
    const result = parseEventMessage(JSON.stringify(broken));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('loanId');
    expect(result.reason).toContain('asOf: must be a YYYY-MM-DD date');
    expect(result.reason).toContain('data.amountOverdue');
  });

  it('rejects another schema version', () => {
    const result = parseEventMessage(
      JSON.stringify({ ...dueSoonEvent('2026-03-07', 3), schemaVersion: 2 }),
    );
    expect(!result.ok && result.reason).toContain('schemaVersion');
  });

  it('tolerates fields a newer producer adds', () => {
    const event = { ...overdueEvent('2026-03-07', 7), traceId: 'x' };
    expect(parseEventMessage(JSON.stringify(event)).ok).toBe(true);
  });
});

describe('report deltas per event type', () => {
  it('an overdue event counts the loan, its bucket and the overdue amount', () => {
    expect(
      reportDeltaOf(overdueEvent('2026-03-07', 35, { bucket: 'M2', amountOverdue: 20_600 })),
    ).toEqual({
      ...EMPTY_DELTA,
      loansOverdue: 1,
      buckets: { M2: 1 },
      amountOverdue: { CNY: 20_600 },
      eventsByRun: { 'run-1': 1 },
    });
  });

  it('a fee event adds late fee + penalty to the charges, and each part to its own split', () => {
    expect(reportDeltaOf(feeAppliedEvent('2026-03-07', 500, 45, 'USD'))).toEqual({
      ...EMPTY_DELTA,
      chargesApplied: { USD: 545 },
      lateFees: { USD: 500 },
      penaltyInterest: { USD: 45 },
      eventsByRun: { 'run-1': 1 },
    });
  });

  it('a reversal adds what was given back, late fee and penalty, to chargesReversed', () => {
    expect(reportDeltaOf(chargesReversedEvent('2026-03-07', 500, 20))).toEqual({
      ...EMPTY_DELTA,
      chargesReversed: { CNY: 520 },
      eventsByRun: { 'run-1': 1 },
    });
  });

  it('nets reversals off the gross charges per currency, below zero on a day of refunds', () => {
    expect(
      netCharges({ chargesApplied: { CNY: 3_125, USD: 535 }, chargesReversed: { CNY: 525 } }),
    ).toEqual({ CNY: 2_600, USD: 535 });
    expect(netCharges({ chargesApplied: {}, chargesReversed: { CNY: 40 } })).toEqual({ CNY: -40 });
  });

  it('a penalty-only fee event leaves the late fees untouched', () => {
    expect(reportDeltaOf(feeAppliedEvent('2026-03-07', 0, 45)).lateFees).toEqual({});
  });

  it('a due-soon event counts one due-soon', () => {
    expect(reportDeltaOf(dueSoonEvent('2026-03-07', 3))).toEqual({
      ...EMPTY_DELTA,
      dueSoon: 1,
      eventsByRun: { 'run-1': 1 },
    });
  });

  it('a charge-off counts the loan and its outstanding principal', () => {
    expect(reportDeltaOf(chargedOffEvent('2026-03-07', 90_000))).toEqual({
      ...EMPTY_DELTA,
      chargedOff: 1,
      chargedOffPrincipal: { CNY: 90_000 },
      eventsByRun: { 'run-1': 1 },
    });
  });

  it('a recovery to M0 counts as cured; other bucket moves change no figure', () => {
    expect(reportDeltaOf(delinquencyChangedEvent('2026-03-07', 'M1', 'M0')).cured).toBe(1);
    expect(reportDeltaOf(delinquencyChangedEvent('2026-03-07', 'M1', 'M2'))).toEqual({
      ...EMPTY_DELTA,
      eventsByRun: { 'run-1': 1 },
    });
  });

  it('sweep.completed records the summary, and counts as no loan event', () => {
    const summary = { runId: 'run-1', loansExamined: 10, complete: true, eventsRecorded: 3 };
    const delta = reportDeltaOf(sweepCompletedEvent('2026-03-07', summary));
    expect(delta.completion).toEqual({ summary });
    expect(delta.eventsByRun).toEqual({});
  });

  it('every loan event counts towards its run, even one that changes no other figure', () => {
    const moved = reportDeltaOf(delinquencyChangedEvent('2026-03-07', 'M1', 'M2'));
    expect(moved.eventsByRun).toEqual({ 'run-1': 1 });
    expect(isEmptyDelta(moved)).toBe(false);
  });
});

describe('merging deltas', () => {
  const arbitraryEvent = fc.oneof(
    fc
      .integer({ min: 1, max: 400 })
      .map((dpd) => overdueEvent('2026-03-07', dpd, { amountOverdue: dpd * 7 })),
    fc
      .tuple(fc.nat(10_000), fc.nat(10_000), fc.constantFrom('CNY', 'USD'))
      .map(([fee, penalty, ccy]) => feeAppliedEvent('2026-03-07', fee, penalty, ccy)),
    fc.constant(dueSoonEvent('2026-03-07', 1)),
    fc.nat(100_000).map((p) => chargedOffEvent('2026-03-07', p)),
    fc
      .tuple(fc.nat(10_000), fc.nat(10_000), fc.constantFrom('CNY', 'USD'))
      .map(([fee, penalty, ccy]) => chargesReversedEvent('2026-03-07', fee, penalty, ccy)),
  );

  it('is order-independent: any order of a batch gives the same totals', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 12 }), (events) => {
        const forward = events.map(reportDeltaOf).reduce(mergeDeltas, EMPTY_DELTA);
        const backward = [...events].reverse().map(reportDeltaOf).reduce(mergeDeltas, EMPTY_DELTA);
        expect(backward).toEqual(forward);
        // Charges always equal late fees + penalty, per currency.
        for (const [ccy, total] of Object.entries(forward.chargesApplied)) {
          expect(total).toBe((forward.lateFees[ccy] ?? 0) + (forward.penaltyInterest[ccy] ?? 0));
        }
        // Bucket counts add up to the overdue loans.
        const inBuckets = Object.values(forward.buckets).reduce((a, b) => a + (b ?? 0), 0);
        expect(inBuckets).toBe(forward.loansOverdue);
      }),
    );
  });

  it('refuses to lose precision beyond safe integers', () => {
    const big = reportDeltaOf(
      overdueEvent('2026-03-07', 1, { amountOverdue: Number.MAX_SAFE_INTEGER }),
    );
    expect(() => mergeDeltas(big, big)).toThrow(RangeError);
  });
});

describe('derived ratios', () => {
  it('overdue share of the loans examined, non-performing share of the overdue loans', () => {
    expect(
      reportRatios({ loansOverdue: 8, buckets: { M1: 5, M4: 2, M7: 1 }, loansExamined: 32 }),
    ).toEqual({ overdueShareOfExaminedPercent: '25', nonPerformingSharePercent: '37.5' });
    expect(reportRatios({ loansOverdue: 1, buckets: {}, loansExamined: 3 })).toMatchObject({
      overdueShareOfExaminedPercent: '33.33',
    });
  });

  it('leaves out a ratio whose denominator is zero or unknown', () => {
    expect(reportRatios({ loansOverdue: 0, buckets: {} })).toEqual({});
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ParsedEvent,
  parseEventMessage,
  type SweepCompletedEvent,
} from '../../../functions/core/event-message';
import {
  buildLoanEvent,
  buildSweepCompletedEvent,
  messageBodyOf,
} from '../../../functions/core/events';
import {
  EMPTY_DELTA,
  isEmptyDelta,
  mergeDeltas,
  netCharges,
  type ReportDelta,
  reportDeltaOf,
  reportRatios,
  runFiguresOf,
  runScopeOf,
  withRunsUnlisted,
} from '../../../functions/core/report';
import type { BusinessDate } from '../../../functions/core/types';
import { d, RUN } from '../../../local/fixtures/loans';
import {
  chargedOffEvent,
  chargesReversedEvent,
  delinquencyChangedEvent,
  dueSoonEvent,
  feeAppliedEvent,
  overdueEvent,
  sweepCompletedEvent,
} from '../../support/events';

/** A `sweep.completed` of `runId` (the summary's own unless given), recorded at `occurredAt`. */
function completedOf(
  asOf: string,
  summary: Record<string, unknown>,
  runId = typeof summary.runId === 'string' ? summary.runId : 'run-1',
  occurredAt = '2026-03-06T16:30:00.000Z',
) {
  return buildSweepCompletedEvent(summary, asOf as BusinessDate, {
    runId,
    occurredAt,
  }) as SweepCompletedEvent;
}

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

  it("sweep.completed of the day's whole run lists the run and completes with its summary", () => {
    const asOf = '2026-03-07';
    const summary = {
      runId: `sweep-${asOf}`,
      asOf,
      scope: 'shards',
      loansExamined: 10,
      complete: true,
      eventsRecorded: 3,
      skipped: { count: 2, loans: [] },
      durationMs: 812,
    };
    const event = completedOf(asOf, summary);
    const delta = reportDeltaOf(event);
    expect(delta.completion).toEqual({ runId: summary.runId, summary });
    expect(delta.runs).toEqual({
      [summary.runId]: {
        scope: 'shards',
        complete: true,
        occurredAt: event.occurredAt,
        loansExamined: 10,
        eventsRecorded: 3,
        skipped: 2,
        durationMs: 812,
      },
    });
    expect(delta.eventsByRun).toEqual({});
  });

  it('a sweep.completed as the stream publisher sends it from the run record counts the same', () => {
    const asOf = '2026-03-07';
    const event = completedOf(asOf, { runId: `sweep-${asOf}`, asOf, complete: true });
    const delta = reportDeltaOf(event);
    // The envelope without a loan id, or carrying the run record's key: the same event.
    for (const body of [
      messageBodyOf(event),
      JSON.stringify({ ...JSON.parse(messageBodyOf(event)), loanId: `#run#sweep-${asOf}` }),
    ]) {
      const parsed = parseEventMessage(body);
      expect(parsed.ok && reportDeltaOf(parsed.event)).toEqual(delta);
    }
    expect(delta.completion?.runId).toBe(`sweep-${asOf}`);
  });

  it('a run of named loans, an incomplete or a dry run is listed and never completes the day', () => {
    const asOf = '2026-03-07';
    const whole = { runId: `sweep-${asOf}`, asOf, complete: true, eventsRecorded: 1 };
    const cases = [
      completedOf(asOf, { ...whole, runId: `sweep-${asOf}-a1b2c3d4e5`, scope: 'loanIds' }),
      // Without a scope only the id `sweep-<asOf>` is a whole run.
      completedOf(asOf, { ...whole, runId: `sweep-${asOf}-a1b2c3d4e5` }),
      completedOf(asOf, { ...whole, complete: false }),
      completedOf(asOf, { ...whole, dryRun: true }),
      // A summary of another run or date than its envelope says.
      completedOf(asOf, { ...whole, runId: 'sweep-2026-03-06' }, `sweep-${asOf}`),
      completedOf(asOf, { ...whole, asOf: '2026-03-06' }),
      completedOf(asOf, { ...whole, scope: 'everything' }),
    ];
    for (const event of cases) {
      const delta = reportDeltaOf(event);
      expect(delta.completion).toBeUndefined();
      expect(Object.keys(delta.runs)).toEqual([event.runId]);
    }
    expect(runScopeOf(cases[1] as SweepCompletedEvent)).toBe('loanIds');
    expect(runScopeOf(completedOf(asOf, whole) as SweepCompletedEvent)).toBe('shards');
    expect(
      runScopeOf(
        completedOf(asOf, { ...whole, runId: 'r-9', scope: 'shards' }) as SweepCompletedEvent,
      ),
    ).toBe('shards');
  });

  it("a run's figures keep only safe counts and a bounded time", () => {
    const event = {
      ...completedOf('2026-03-07', { loansExamined: 2 ** 60, loansOverdue: -1, chargedOff: 'x' }),
      occurredAt: 'z'.repeat(500),
    } as SweepCompletedEvent;
    const figures = runFiguresOf(event);
    expect(figures).toEqual({ scope: 'loanIds', complete: false, occurredAt: expect.any(String) });
    expect(figures.occurredAt.length).toBeLessThanOrEqual(64);
  });

  it('each episode event counts in its own figure; risk classes come from loan.overdue', () => {
    const asOf = d('2026-03-07');
    const state = { bucket: 'M1' as const, dpd: 20 };
    const who = { loanId: 'L-1', borrowerId: 'B-1' };
    const promise = { promiseId: 'P', until: asOf, amount: 9, paid: 0, currency: 'CNY' };
    const cases: [ParsedEvent, Partial<ReportDelta>][] = [
      [
        buildLoanEvent('loan.credit_hold', who, state, asOf, RUN, {
          dpd: 20,
          bucket: 'M1',
          delinquentSince: asOf,
        }) as ParsedEvent,
        { creditHoldsPlaced: 1 },
      ],
      [
        buildLoanEvent('loan.credit_released', who, state, asOf, RUN, {
          dpd: 0,
          delinquentSince: asOf,
        }) as ParsedEvent,
        { creditHoldsReleased: 1 },
      ],
      [
        buildLoanEvent('loan.credit_report_notice', who, state, asOf, RUN, {
          dpd: 20,
          amountOverdue: 1,
          currency: 'CNY',
          settlementDate: d('2026-03-31'),
          delinquentSince: asOf,
        }) as ParsedEvent,
        { creditNotices: 1 },
      ],
      [
        buildLoanEvent('loan.hardship_offer', who, state, asOf, RUN, {
          offerId: 'o',
          dpd: 20,
          amountOverdue: 1,
          currency: 'CNY',
        }) as ParsedEvent,
        { hardshipOffers: 1 },
      ],
      [
        buildLoanEvent('loan.promise_kept', who, state, asOf, RUN, promise) as ParsedEvent,
        { promisesKept: 1 },
      ],
      [
        buildLoanEvent('loan.promise_broken', who, state, asOf, RUN, promise) as ParsedEvent,
        { promisesBroken: 1 },
      ],
      [
        buildLoanEvent('loan.risk_class_changed', who, state, asOf, RUN, {
          from: 'NORMAL',
          to: 'SPECIAL_MENTION',
          dpd: 1,
        }) as ParsedEvent,
        {},
      ],
      [
        buildLoanEvent('loan.overdue', who, state, asOf, RUN, {
          dpd: 100,
          bucket: 'M4',
          inGrace: false,
          forbearance: false,
          amountOverdue: 0,
          currency: 'CNY',
          riskClass: 'SUBSTANDARD',
        }) as ParsedEvent,
        { loansOverdue: 1, buckets: { M4: 1 }, riskClasses: { SUBSTANDARD: 1 } },
      ],
    ];
    for (const [event, figures] of cases) {
      expect(reportDeltaOf(event)).toEqual({
        ...EMPTY_DELTA,
        ...figures,
        eventsByRun: { 'run-1': 1 },
      });
    }
    // An overdue event recorded before loans had a risk class counts in no class.
    expect(reportDeltaOf(overdueEvent('2026-03-07', 7)).riskClasses).toEqual({});
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
    // Runs of the date: whole or named, complete or not, recorded at different times.
    fc
      .tuple(
        fc.constantFrom('sweep-2026-03-07', 'sweep-2026-03-07-0a1b2c3d4e', 'r-x'),
        fc.boolean(),
        fc.integer({ min: 0, max: 59 }),
        fc.nat(100),
      )
      .map(([runId, complete, minute, loansExamined]) =>
        completedOf(
          '2026-03-07',
          { runId, asOf: '2026-03-07', complete, loansExamined },
          runId,
          `2026-03-06T16:${String(minute).padStart(2, '0')}:00.000Z`,
        ),
      ),
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

  it('of two whole runs of one date, the one recorded first completes it, in any order', () => {
    const asOf = '2026-03-07';
    const later = completedOf(
      asOf,
      { runId: 'r-b', asOf, scope: 'shards', complete: true, loansExamined: 0 },
      'r-b',
      '2026-03-06T16:45:00.000Z',
    );
    const first = completedOf(
      asOf,
      { runId: 'r-a', asOf, scope: 'shards', complete: true, loansExamined: 9 },
      'r-a',
      '2026-03-06T16:30:00.000Z',
    );
    const [x, y] = [reportDeltaOf(first), reportDeltaOf(later)];
    expect(mergeDeltas(x, y).completion?.runId).toBe('r-a');
    expect(mergeDeltas(y, x)).toEqual(mergeDeltas(x, y));
    expect(Object.keys(mergeDeltas(y, x).runs).sort()).toEqual(['r-a', 'r-b']);
  });

  it('counts runs instead of listing them where the list is full, keeping the completion', () => {
    const asOf = '2026-03-07';
    const delta = reportDeltaOf(
      completedOf(asOf, { runId: `sweep-${asOf}`, asOf, complete: true }),
    );
    const unlisted = withRunsUnlisted(delta);
    expect(unlisted.runs).toEqual({});
    expect(unlisted.runsNotListed).toBe(1);
    expect(unlisted.completion).toEqual(delta.completion);
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

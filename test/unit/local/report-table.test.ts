import { describe, expect, it } from 'vitest';
import type { ReportItem } from '../../../functions/adapters/report-store';
import { EMPTY_DELTA } from '../../../functions/core/report';
import { renderReport } from '../../../local/report-table';
import { d } from '../../support/events';

const report: ReportItem = {
  ...EMPTY_DELTA,
  asOf: d('2026-10-31'),
  loansOverdue: 7,
  buckets: { M1: 4, M2: 1, M4: 1, M7: 1 },
  amountOverdue: { CNY: 61_800, USD: 10_300 },
  chargesApplied: { CNY: 3_125, USD: 535 },
  lateFees: { CNY: 1_500, USD: 500 },
  penaltyInterest: { CNY: 1_625, USD: 35 },
  chargesReversed: { CNY: 525 },
  chargedOff: 1,
  chargedOffPrincipal: { CNY: 10_000 },
  dueSoon: 2,
  cured: 0,
  eventsByRun: { 'sweep-2026-10-31': 9 },
  complete: true,
  summary: { runId: 'sweep-2026-10-31', loansExamined: 9, durationMs: 2381 },
};

describe('report table', () => {
  const text = renderReport(report);

  it('shows counts, every bucket and each currency formatted from minor units', () => {
    expect(text).toContain('Report 2026-10-31');
    expect(text).toMatch(/Loans overdue\s+│ 7 /);
    expect(text).toContain('M1 4  M2 1  M3 0  M4 1  M5 0  M6 0  M7 1');
    expect(text).toContain('CN¥618.00');
    expect(text).toContain('$103.00');
    expect(text).toContain('CN¥31.25 (late fees CN¥15.00, penalty CN¥16.25)');
    expect(text).toMatch(/Charges applied \(gross\)\s+│ CN¥31\.25/);
    expect(text).toMatch(/Due soon\s+│ 2 /);
  });

  it('derives the overdue share of the loans examined (not a delinquency rate) and the non-performing share', () => {
    expect(text).toMatch(/Overdue share\s+│ 77\.78% of 9 loans examined \(due or overdue\)/);
    expect(text).not.toMatch(/delinquency rate/i);
    expect(text).toContain('28.57% of overdue loans');
  });

  it('says when the day is not complete yet and has no run summary', () => {
    const { summary: _summary, ...partial } = report;
    const pending = renderReport({ ...partial, complete: false });
    expect(pending).toContain('incomplete (no completed whole run yet)');
    expect(pending).toContain('— (needs the run summary)');
    expect(pending).not.toContain('Sweep run');
  });

  it('shows the charges given back and the charges net of them beside the gross figure', () => {
    expect(text).toMatch(/Charges reversed\s+│ CN¥5\.25 /);
    // CNY: 31.25 − 5.25; USD: nothing given back.
    expect(text).toMatch(/Net charges\s+│ CN¥26\.00 /);
    expect(text).toMatch(/│\s+│ \$5\.35 /);
    const refunds = renderReport({ ...report, chargesReversed: { CNY: 4_000 } });
    expect(refunds).toMatch(/Net charges\s+│ -CN¥8\.75 /);
    // Zero money is printed one way everywhere: 0.
    expect(renderReport({ ...report, chargesReversed: {} })).toMatch(/Charges reversed\s+│ 0 /);
  });

  it("lists the runs recorded beside the day's summary, the whole run not among them", () => {
    const figures = { complete: true, occurredAt: '2026-10-31T03:00:00.000Z' } as const;
    const beside = renderReport({
      ...report,
      runs: {
        'sweep-2026-10-31': { ...figures, scope: 'shards', loansExamined: 9 },
        'sweep-2026-10-31-0a1b2c3d4e': { ...figures, scope: 'loanIds', loansExamined: 1 },
      },
      runsNotListed: 2,
    });
    expect(beside).toMatch(
      /Other runs \(beside\)\s+│ sweep-2026-10-31-0a1b2c3d4e \(loanIds, 1 examined\)/,
    );
    expect(beside).toContain('… and 2 more');
    expect(beside).not.toMatch(/sweep-2026-10-31 \(shards/);
    expect(text).not.toContain('Other runs');
  });

  it('shows the risk classes and what the delinquency episodes set in motion', () => {
    const episodes = renderReport({
      ...report,
      riskClasses: { SPECIAL_MENTION: 5, SUBSTANDARD: 1, LOSS: 1 },
      creditHoldsPlaced: 3,
      creditHoldsReleased: 1,
      creditNotices: 2,
      hardshipOffers: 1,
      promisesKept: 4,
      promisesBroken: 2,
    });
    expect(episodes).toContain('NORMAL 0  SPECIAL_MENTION 5  SUBSTANDARD 1  DOUBTFUL 0  LOSS 1');
    expect(episodes).toMatch(/Credit holds\s+│ 3 placed, 1 released /);
    expect(episodes).toMatch(/Credit-report notices\s+│ 2 /);
    expect(episodes).toMatch(/Repayment plans offered\s+│ 1 /);
    expect(episodes).toMatch(/Promises to pay\s+│ 4 kept, 2 broken /);
  });

  it('has no colour codes, so it can be piped and logged', () => {
    expect(text).not.toContain('\u001b[');
  });
});

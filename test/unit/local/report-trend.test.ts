/**
 * The portfolio trend of `npm run report -- --days K` and `npm start -- --days K`: a row and a
 * stacked bucket bar per day, sparklines per figure, and a missing day drawn as a gap.
 */
import { describe, expect, it } from 'vitest';
import type { ReportItem } from '../../../functions/adapters/report-store';
import { EMPTY_DELTA } from '../../../functions/core/report';
import { d } from '../../../local/fixtures/loans';
import {
  BAR_WIDTH,
  bucketBar,
  renderTrend,
  sparkline,
  type TrendDay,
} from '../../../local/report-trend';

function report(
  asOf: string,
  buckets: ReportItem['buckets'],
  extra: Partial<ReportItem> = {},
): ReportItem {
  const loansOverdue = Object.values(buckets).reduce((a, b) => a + (b ?? 0), 0);
  return {
    ...EMPTY_DELTA,
    asOf: d(asOf),
    loansOverdue,
    buckets,
    amountOverdue: { CNY: 1_000_000 },
    chargesApplied: { CNY: 4_500 },
    lateFees: { CNY: 3_000 },
    penaltyInterest: { CNY: 1_500 },
    chargesReversed: {},
    chargedOff: 0,
    chargedOffPrincipal: {},
    dueSoon: 3,
    cured: 1,
    eventsByRun: {},
    complete: true,
    ...extra,
  };
}

const days: TrendDay[] = [
  { asOf: d('2026-11-24'), report: report('2026-11-24', { M1: 40, M2: 8, M3: 4, M6: 1 }) },
  { asOf: d('2026-11-25'), report: undefined },
  {
    asOf: d('2026-11-26'),
    report: report(
      '2026-11-26',
      { M1: 48, M2: 10, M3: 5, M4: 2, M6: 1 },
      { chargesReversed: { CNY: 1_234 }, chargedOff: 2 },
    ),
  },
  {
    asOf: d('2026-11-27'),
    report: report(
      '2026-11-27',
      { M1: 60, M2: 12, M3: 6, M4: 2, M5: 1, M7: 1 },
      {
        chargesApplied: { CNY: 6_500, USD: 500 },
        lateFees: { CNY: 4_500, USD: 500 },
        penaltyInterest: { CNY: 2_000 },
        riskClasses: { SPECIAL_MENTION: 78, SUBSTANDARD: 2, DOUBTFUL: 1, LOSS: 1 },
        creditHoldsPlaced: 6,
        creditHoldsReleased: 2,
        creditNotices: 5,
        hardshipOffers: 1,
        promisesKept: 1,
        promisesBroken: 3,
      },
    ),
  },
];

const rowOf = (text: string, asOf: string) =>
  text.split('\n').find((line) => line.startsWith(`│ ${asOf}`)) ?? '';
const sparkRow = (text: string, label: string) =>
  text.split('\n').find((line) => line.trimStart().startsWith(`${label} `)) ?? '';

describe('the trend renderer', () => {
  const text = renderTrend(days);

  it('titles the period and counts the days with a report', () => {
    expect(text).toContain(
      'Portfolio trend 2026-11-24 … 2026-11-27 (4 consecutive dates, oldest first; 3 with a report)',
    );
  });

  it('prints a missing day as a gap, not an error', () => {
    expect(rowOf(text, '2026-11-25')).toMatch(/│ —\s+│ no report\s+│/);
    expect(sparkRow(text, 'loans overdue')).toContain('▁·');
  });

  it('draws each day’s buckets as a stacked bar, the longest day filling the width', () => {
    const bars = days.map((day) => rowOf(text, day.asOf).split('│')[3]?.trim() ?? '');
    expect(bars[3]).toMatch(/^1+2+3+4+5+7+$/);
    expect(bars[3]?.length).toBeGreaterThanOrEqual(BAR_WIDTH - 2);
    expect(bars[3]?.length).toBeLessThanOrEqual(BAR_WIDTH + 3); // small buckets round up to 1
    expect(bars[0]).toMatch(/^1+2+3+6$/); // one M6 loan still shows
    expect(bars[1]).toBe('no report');
    expect((bars[0]?.length ?? 0) < (bars[2]?.length ?? 0)).toBe(true);
  });

  it('shows charges per currency, reversals (0 when none) and the charges net of them', () => {
    expect(rowOf(text, '2026-11-24')).toMatch(
      /│ CN¥30\.00\s+│ CN¥15\.00\s+│ 0\s+│ CN¥45\.00\s+│ 0\s+│/,
    );
    // 45.00 charged, 12.34 given back.
    expect(rowOf(text, '2026-11-26')).toMatch(/│ CN¥12\.34\s+│ CN¥32\.66\s+│ 2\s+│/);
    expect(text).toContain('$5.00');
    expect(sparkRow(text, 'net charges CNY')).toMatch(/ ▄·▁█ {2}CN¥45\.00 → CN¥65\.00$/);
  });

  it('has a sparkline with first → last for overdue loans, every bucket, charges and charge-offs', () => {
    expect(sparkRow(text, 'loans overdue')).toMatch(/ ▁·▄█ {2}53 → 82$/);
    expect(sparkRow(text, 'M1')).toMatch(/40 → 60$/);
    expect(sparkRow(text, 'M7')).toMatch(/▁·▁█ {2}0 → 1$/);
    expect(sparkRow(text, 'late fees CNY')).toMatch(/CN¥30\.00 → CN¥45\.00$/);
    expect(sparkRow(text, 'late fees USD')).toMatch(/ 0 → \$5\.00$/);
    expect(sparkRow(text, 'reversed CNY')).toMatch(/▁·█▁ {2}0 → 0$/);
    expect(sparkRow(text, 'charged off')).toMatch(/▁·█▁ {2}0 → 0$/);
  });

  it('shows credit holds and notices per day, and a sparkline for each class and episode count', () => {
    expect(rowOf(text, '2026-11-27')).toMatch(/│ 0\s+│ \+6 −2\s+│ 5\s+│$/);
    expect(rowOf(text, '2026-11-24')).toMatch(/│ \+0 −0\s+│ 0\s+│$/);
    expect(sparkRow(text, 'SUBSTANDARD')).toMatch(/▁·▁█ {2}0 → 2$/);
    expect(sparkRow(text, 'credit notices')).toMatch(/0 → 5$/);
    expect(sparkRow(text, 'promises broken')).toMatch(/0 → 3$/);
    expect(sparkRow(text, 'hardship offers')).toMatch(/0 → 1$/);
  });

  it('has no colour codes, so it can be piped and logged', () => {
    expect(text).not.toContain('\u001b[');
  });

  it('renders a period with no report at all as gaps', () => {
    const empty = renderTrend([{ asOf: d('2026-11-24'), report: undefined }], 'dry run');
    expect(empty).toContain('0 with a report');
    expect(rowOf(empty, '2026-11-24')).toContain('dry run');
  });
});

describe('bars and sparklines', () => {
  it('gives every non-empty bucket at least one character', () => {
    expect(bucketBar({ M1: 100, M6: 1 }, 10)).toBe(`${'1'.repeat(10)}6`);
    expect(bucketBar({}, 1)).toBe('');
  });

  it('scales a sparkline from the lowest to the highest value and marks gaps', () => {
    expect(sparkline([10, 20, undefined, 30])).toBe('▁▅·█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([3, 3])).toBe('▅▅');
  });
});

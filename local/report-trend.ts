/**
 * Renders the daily reports (docs/contract.md, Reports) of consecutive dates as a trend, for
 * `npm run report -- --days K` and `npm start -- --days K`: a row per day with a stacked bar of
 * the buckets M1–M7, the charges (gross), the reversals, the charges net of reversals, the
 * charge-offs, the credit holds placed and released and the credit-report notices, then one
 * sparkline per figure (the risk classes, plan offers and promises decided among them).
 * Plain text (no colours), amounts formatted exactly from minor units in their own currency.
 */
import Table from 'cli-table3';
import type { ReportItem } from '../functions/adapters/report-store';
import { BUCKETS, RISK_CLASSES, type RiskClass } from '../functions/contract/events';
import { type AmountsByCurrency, netCharges } from '../functions/core/report';
import type { Bucket, BusinessDate } from '../functions/core/types';
import { amountsText, moneyText } from './money-text';

/** One business date of the trend: its report, or undefined when none was written (a gap). */
export interface TrendDay {
  readonly asOf: BusinessDate;
  readonly report: ReportItem | undefined;
}

/** Characters of the stacked bar for the longest day (the most overdue loans). */
export const BAR_WIDTH = 32;

const OVERDUE_BUCKETS: readonly Bucket[] = BUCKETS.filter((bucket) => bucket !== 'M0');
/** The classes an overdue loan can be in (NORMAL only by a policy that starts classes late). */
const CLASSES_SHOWN: readonly RiskClass[] = RISK_CLASSES.filter((c) => c !== 'NORMAL');
const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const GAP_MARK = '·';

const reversedOf = (report: ReportItem): AmountsByCurrency => report.chargesReversed;

/** Charges net of reversals per currency (below zero on a day that gave back more). */
const netOf = (report: ReportItem): AmountsByCurrency => netCharges(report);

/**
 * The stacked bar of one day: bucket `k` drawn with the digit `k`, lengths proportional to the
 * counts on a common scale (`loans per character`), every non-empty bucket at least one character
 * so a handful of M6 loans stays visible.
 */
export function bucketBar(buckets: ReportItem['buckets'], loansPerChar: number): string {
  return OVERDUE_BUCKETS.map((bucket, index) => {
    const count = buckets[bucket] ?? 0;
    if (count <= 0) return '';
    return String(index + 1).repeat(Math.max(1, Math.round(count / loansPerChar)));
  }).join('');
}

/**
 * A sparkline of `values` from the period's lowest (▁) to its highest (█), so the direction shows
 * even when the figures move little (the numbers beside it give the size); a flat series is drawn
 * at the bottom when it is zero and in the middle otherwise; `undefined` (no report) is `·`.
 */
export function sparkline(values: readonly (number | undefined)[]): string {
  const present = values.filter((v): v is number => v !== undefined);
  const low = Math.min(...present);
  const high = Math.max(...present);
  const top = SPARKS.length - 1;
  return values
    .map((value) => {
      if (value === undefined) return GAP_MARK;
      if (high === low) return SPARKS[value === 0 ? 0 : Math.ceil(top / 2)];
      return SPARKS[Math.round(((value - low) / (high - low)) * top)];
    })
    .join('');
}

/** Currencies charged or given back in the period, sorted. */
function currenciesOf(reports: readonly ReportItem[]): string[] {
  const currencies = new Set<string>();
  for (const report of reports) {
    for (const map of [
      report.lateFees,
      report.penaltyInterest,
      reversedOf(report),
      netOf(report),
    ]) {
      for (const [currency, value] of Object.entries(map)) if (value) currencies.add(currency);
    }
  }
  return [...currencies].sort();
}

interface Series {
  readonly label: string;
  readonly values: readonly (number | undefined)[];
  readonly format: (value: number) => string;
}

function seriesOf(days: readonly TrendDay[]): Series[] {
  const count = (label: string, of: (report: ReportItem) => number): Series => ({
    label,
    values: days.map((day) => (day.report ? of(day.report) : undefined)),
    format: String,
  });
  const present = days.flatMap((day) => (day.report ? [day.report] : []));
  const amounts = (label: string, of: (report: ReportItem) => AmountsByCurrency) => {
    const currencies = currenciesOf(present);
    if (currencies.length === 0) return [count(label, () => 0)];
    return currencies.map((currency) => ({
      label: `${label} ${currency}`,
      values: days.map((day) => (day.report ? (of(day.report)[currency] ?? 0) : undefined)),
      format: (value: number) => moneyText(value, currency),
    }));
  };
  return [
    count('loans overdue', (report) => report.loansOverdue),
    ...OVERDUE_BUCKETS.map((bucket) => count(bucket, (report) => report.buckets[bucket] ?? 0)),
    ...amounts('late fees', (report) => report.lateFees),
    ...amounts('penalty', (report) => report.penaltyInterest),
    ...amounts('reversed', reversedOf),
    ...amounts('net charges', netOf),
    count('charged off', (report) => report.chargedOff),
    ...CLASSES_SHOWN.map((riskClass) =>
      count(riskClass, (report) => report.riskClasses[riskClass] ?? 0),
    ),
    count('credit holds placed', (report) => report.creditHoldsPlaced),
    count('credit holds released', (report) => report.creditHoldsReleased),
    count('credit notices', (report) => report.creditNotices),
    count('hardship offers', (report) => report.hardshipOffers),
    count('promises kept', (report) => report.promisesKept),
    count('promises broken', (report) => report.promisesBroken),
  ];
}

/** `first → last` of the days that have a report. */
function change(series: Series): string {
  const present = series.values.filter((v): v is number => v !== undefined);
  const first = present[0];
  const last = present[present.length - 1];
  if (first === undefined || last === undefined) return '';
  return present.length === 1
    ? series.format(last)
    : `${series.format(first)} → ${series.format(last)}`;
}

/**
 * The trend of `days` (consecutive dates, weekends included, oldest first) as text. A day without a report
 * is a gap (`gapLabel` in its row, `·` in the sparklines), not an error.
 */
export function renderTrend(days: readonly TrendDay[], gapLabel = 'no report'): string {
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return '';
  const reports = days.flatMap((day) => (day.report ? [day.report] : []));
  const mostOverdue = Math.max(1, ...reports.map((report) => report.loansOverdue));
  const loansPerChar = Math.max(1, mostOverdue / BAR_WIDTH);

  const table = new Table({
    head: [
      'asOf',
      'overdue',
      'by bucket (1 = M1 … 7 = M7)',
      'late fees',
      'penalty',
      'reversed',
      'net charges',
      'charged off',
      'holds +/−',
      'notices',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const { asOf, report } of days) {
    if (!report) {
      table.push([asOf, '—', gapLabel, '', '', '', '', '', '', '']);
      continue;
    }
    table.push([
      asOf,
      String(report.loansOverdue),
      bucketBar(report.buckets, loansPerChar),
      amountsText(report.lateFees),
      amountsText(report.penaltyInterest),
      amountsText(reversedOf(report)),
      amountsText(netOf(report)),
      String(report.chargedOff),
      `+${report.creditHoldsPlaced} −${report.creditHoldsReleased}`,
      String(report.creditNotices),
    ]);
  }

  const series = seriesOf(days);
  const labelWidth = Math.max(...series.map((s) => s.label.length));
  const lines = series.map((s) =>
    `  ${s.label.padEnd(labelWidth)}  ${sparkline(s.values)}  ${change(s)}`.trimEnd(),
  );
  const scale =
    loansPerChar > 1
      ? `one character ≈ ${loansPerChar.toFixed(1)} loans`
      : 'one character = one loan';
  return [
    `Portfolio trend ${first.asOf} … ${last.asOf} (${days.length} ${days.length === 1 ? 'date' : 'consecutive dates'}, oldest first; ${reports.length} with a report)`,
    table.toString(),
    `Bars: ${scale}; every bucket with loans shows at least one character.`,
    '',
    `Sparklines, oldest → newest (▁ the period's lowest … █ its highest; ${GAP_MARK} no report), first → last:`,
    ...lines,
  ].join('\n');
}

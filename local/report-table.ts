/**
 * Renders a daily report (docs/contract.md, Reports) as a readable table, for `npm run report` and `npm start`.
 * Amounts are formatted exactly from minor units in their own currency.
 */
import Table from 'cli-table3';
import type { ReportItem } from '../functions/adapters/report-store';
import { BUCKETS, RISK_CLASSES } from '../functions/contract/events';
import { netCharges, reportRatios } from '../functions/core/report';
import { amountsText as amounts, moneyText, ZERO_MONEY } from './money-text';

function numberField(
  summary: Record<string, unknown> | undefined,
  key: string,
): number | undefined {
  const value = summary?.[key];
  return typeof value === 'number' ? value : undefined;
}

/** The report as a two-column table (plain text, no colours). */
export function renderReport(report: ReportItem): string {
  const table = new Table({ head: [`Report ${report.asOf}`, ''], style: { head: [], border: [] } });
  const loansExamined = numberField(report.summary, 'loansExamined');
  const ratios = reportRatios({
    ...report,
    ...(loansExamined === undefined ? {} : { loansExamined }),
  });
  const charges = Object.keys(report.chargesApplied).sort();
  const chargeLines =
    charges.length === 0
      ? ZERO_MONEY
      : charges
          .map((ccy) => {
            const money = (value: number | undefined) => moneyText(value ?? 0, ccy);
            return `${money(report.chargesApplied[ccy])} (late fees ${money(report.lateFees[ccy])}, penalty ${money(report.penaltyInterest[ccy])})`;
          })
          .join('\n');
  const runId = report.summary?.runId;
  table.push(
    ['Status', statusOf(report)],
    ['Loans overdue', String(report.loansOverdue)],
    [
      'By bucket',
      BUCKETS.filter((b) => b !== 'M0')
        .map((b) => `${b} ${report.buckets[b] ?? 0}`)
        .join('  '),
    ],
    [
      'By risk class',
      RISK_CLASSES.map((riskClass) => `${riskClass} ${report.riskClasses[riskClass] ?? 0}`).join(
        '  ',
      ),
    ],
    ['Amount overdue', amounts(report.amountOverdue)],
    ['Charges applied (gross)', chargeLines],
    // Reversals may give back charges of earlier dates, so a day's net can be below zero.
    ['Charges reversed', amounts(report.chargesReversed)],
    ['Net charges', amounts(netCharges(report))],
    [
      'Charged off',
      `${report.chargedOff}${report.chargedOff > 0 ? `  (principal ${amounts(report.chargedOffPrincipal, ', ')})` : ''}`,
    ],
    ['Due soon', String(report.dueSoon)],
    ['Cured (back to M0)', String(report.cured)],
    ['Credit holds', `${report.creditHoldsPlaced} placed, ${report.creditHoldsReleased} released`],
    ['Credit-report notices', String(report.creditNotices)],
    ['Repayment plans offered', String(report.hardshipOffers)],
    ['Promises to pay', `${report.promisesKept} kept, ${report.promisesBroken} broken`],
    [
      // Not a delinquency rate: the sweep examines only loans due or overdue, never the whole book.
      'Overdue share',
      ratios.overdueShareOfExaminedPercent === undefined
        ? '— (needs the run summary)'
        : `${ratios.overdueShareOfExaminedPercent}% of ${loansExamined} loans examined (due or overdue)`,
    ],
    [
      'Non-performing (M4+)',
      ratios.nonPerformingSharePercent === undefined
        ? '—'
        : `${ratios.nonPerformingSharePercent}% of overdue loans`,
    ],
  );
  if (typeof runId === 'string') {
    const duration = numberField(report.summary, 'durationMs');
    table.push(['Sweep run', `${runId}${duration === undefined ? '' : ` (${duration} ms)`}`]);
  }
  const others = otherRuns(report);
  if (others !== undefined) table.push(['Other runs (beside)', others]);
  return table.toString();
}

/** Runs shown one by one beside the summary; the rest are counted. */
const LISTED_OTHER_RUNS = 5;

/**
 * The runs recorded for the date besides the one whose summary the report keeps (re-runs under
 * another id, `loanIds` runs, incomplete runs), one line each, with their loans examined.
 */
function otherRuns(report: ReportItem): string | undefined {
  const summaryRun = report.summary?.runId;
  const others = Object.entries(report.runs)
    .filter(([runId]) => runId !== summaryRun)
    .sort(([, a], [, b]) => a.occurredAt.localeCompare(b.occurredAt));
  const hidden = Math.max(0, others.length - LISTED_OTHER_RUNS) + report.runsNotListed;
  if (others.length === 0 && report.runsNotListed === 0) return undefined;
  const lines = others.slice(0, LISTED_OTHER_RUNS).map(([runId, figures]) => {
    const examined =
      figures.loansExamined === undefined ? '' : `, ${figures.loansExamined} examined`;
    const state = figures.complete ? '' : ', incomplete';
    return `${runId} (${figures.scope}${examined}${state})`;
  });
  if (hidden > 0) lines.push(`… and ${hidden} more`);
  return lines.join('\n');
}

/** Whether the report is final, and if not what it waits for. */
function statusOf(report: ReportItem): string {
  if (report.complete) return 'complete (the run finished and all its events are counted)';
  const summary = report.summary;
  if (summary === undefined) return 'incomplete (no completed whole run yet)';
  const runId = String(summary.runId);
  const recorded = Number(summary.eventsRecorded ?? 0);
  const counted = report.eventsByRun[runId] ?? 0;
  return `incomplete (${counted} of ${recorded} events of ${runId} counted so far)`;
}

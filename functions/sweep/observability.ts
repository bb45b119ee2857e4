/**
 * The sweep's logs and metrics (Powertools): JSON logs keyed by runId and asOf, and EMF metrics in
 * the `OverdueSweep` namespace. Metrics count each part's own work, so sums over a run's parts in
 * CloudWatch equal the run's totals; every metric is emitted even when zero, so a quiet day shows
 * zeros rather than gaps.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAMES, SWEEP_COMPLETED_METRIC } from '../../infra/definitions';
import type { SweepSummary, SweepTotals } from './summary';

/** The sweep's logger; `serviceName` sweep. */
export function createSweepLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAMES.sweep });
}

/** The sweep's metrics: namespace OverdueSweep, service sweep. */
export function createSweepMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.sweep });
}

/**
 * Adds this part's metrics (counts; LateFeesCharged and PenaltyCharged in minor units, summed
 * over currencies — the summary keeps them per currency) and SweepCompleted = 1 when a non-dry
 * run completed. A dry run changes nothing and emits no business metrics.
 */
export function addSweepMetrics(metrics: Metrics, part: SweepTotals, summary: SweepSummary): void {
  if (summary.dryRun) return;
  const charges = Object.values(part.charges);
  const counts: [string, number][] = [
    ['LoansExamined', part.loansExamined],
    ['LoansOverdue', part.loansOverdue],
    ['LoansCharged', part.loansCharged],
    ['LateFeesCharged', charges.reduce((sum, c) => sum + c.lateFees, 0)],
    ['PenaltyCharged', charges.reduce((sum, c) => sum + c.penaltyInterest, 0)],
    ['EventsPublished', part.eventsPublished],
    ['LoansSkipped', part.skipped.count],
    ['VersionConflicts', part.versionConflicts],
    ['LoansChargedOff', part.chargedOff],
    ['EventsPending', part.eventsPending],
  ];
  for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
  if (summary.complete) metrics.addMetric(SWEEP_COMPLETED_METRIC, MetricUnit.Count, 1);
}

/**
 * The sweep's metrics (namespace `OverdueSweep`, service `sweep`): each invocation counts its own
 * work, so sums over a run's parts in CloudWatch equal the run's totals. Every counter is emitted
 * even when zero, so a quiet day shows zeros rather than gaps; dry runs emit none.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SWEEP_COMPLETED_METRIC } from '../../infra/definitions';
import type { InvocationReport } from './service';
import type { ChargeTotals } from './summary';

const sum = (amounts: Record<string, ChargeTotals>, field: keyof ChargeTotals) =>
  Object.values(amounts).reduce((total, amount) => total + amount[field], 0);

/**
 * Adds one invocation's metrics: counts, and amounts in minor units summed over currencies (the
 * summary keeps them per currency). `SweepCompleted` = 1 only once the topic accepted the run's
 * `sweep.completed`, so the missing-run alarm stays armed when it was not delivered.
 */
export function sweepMetrics(metrics: Metrics): (report: InvocationReport) => void {
  return ({ dryRun, own, completed }) => {
    if (dryRun) return;
    const counts: [string, number][] = [
      ['LoansExamined', own.loansExamined],
      ['LoansOverdue', own.loansOverdue],
      ['LoansCharged', own.loansCharged],
      ['LateFeesCharged', sum(own.charges, 'lateFees')],
      ['PenaltyCharged', sum(own.charges, 'penaltyInterest')],
      ['LateFeesReversed', sum(own.reversals, 'lateFees')],
      ['PenaltyReversed', sum(own.reversals, 'penaltyInterest')],
      ['EventsRecorded', own.eventsRecorded],
      ['LoansSkipped', own.skipped.count],
      ['VersionConflicts', own.versionConflicts],
      ['LoansChargedOff', own.chargedOff],
    ];
    for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
    if (completed) metrics.addMetric(SWEEP_COMPLETED_METRIC, MetricUnit.Count, 1);
  };
}

/**
 * The sweep's metrics (namespace `OverdueSweep`, service `sweep`): each invocation counts its own
 * work, so sums over a run's parts in CloudWatch equal the run's totals. Every counter is emitted
 * even when zero, so a quiet day shows zeros rather than gaps; dry runs emit none.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES } from '../contract/observability';
import type { InvocationReport } from './service';
import type { ChargeTotals } from './summary';

const sum = (amounts: Record<string, ChargeTotals>, field: keyof ChargeTotals) =>
  Object.values(amounts).reduce((total, amount) => total + amount[field], 0);

/**
 * Adds one invocation's metrics: counts, and amounts in minor units summed over currencies (the
 * summary keeps them per currency). `SweepCompleted` = 1 once a non-dry run is complete and its
 * `sweep.completed` is durably recorded in its run record, so the missing-run alarm fires when no
 * run finished; its delivery is the stream publisher's, watched by the publisher's own alarms.
 */
export function sweepMetrics(metrics: Metrics): (report: InvocationReport) => void {
  const names = METRIC_NAMES.sweep;
  return ({ dryRun, own, completed, runDurationMs, shardDurationsMs = [] }) => {
    if (dryRun) return;
    const counts: [string, number][] = [
      [names.loansExamined, own.loansExamined],
      [names.loansOverdue, own.loansOverdue],
      [names.loansCharged, own.loansCharged],
      [names.lateFeesCharged, sum(own.charges, 'lateFees')],
      [names.penaltyCharged, sum(own.charges, 'penaltyInterest')],
      [names.lateFeesReversed, sum(own.reversals, 'lateFees')],
      [names.penaltyReversed, sum(own.reversals, 'penaltyInterest')],
      [names.eventsRecorded, own.eventsRecorded],
      [names.loansSkipped, own.skipped.count],
      [names.versionConflicts, own.versionConflicts],
      [names.loansChargedOff, own.chargedOff],
    ];
    for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
    if (runDurationMs !== undefined) {
      metrics.addMetric(names.runDuration, MetricUnit.Milliseconds, runDurationMs);
    }
    if (completed) metrics.addMetric(names.completed, MetricUnit.Count, 1);
    // A workflow run's shards, each under its own `shard` dimension (a metric of its own).
    for (const { shard, durationMs } of shardDurationsMs) {
      const single = metrics.singleMetric();
      single.addDimension('shard', String(shard));
      single.addMetric(names.shardDuration, MetricUnit.Milliseconds, durationMs);
    }
  };
}

/**
 * The operations dashboard (issue 13): the morning's first look. Last night's run, the portfolio's
 * delinquency buckets and charges day by day, the sweep-run workflow and its shards, the functions'
 * errors and throttles, the publisher's lag and problems, the borrower reminders and the reports'
 * counting, DynamoDB throttling and capacity, queues and dead-letter queues, and every alarm's state.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BUCKETS } from '../../functions/contract/events';
import {
  METRIC_NAMES,
  METRICS_NAMESPACE,
  SERVICE_NAMES,
} from '../../functions/contract/observability';
import { SWEEP_SHARDS } from '../../functions/contract/tables';

export interface OperationsDashboardProps {
  /** The product's functions by their service name. */
  readonly functions: Readonly<Record<keyof typeof SERVICE_NAMES, lambda.IFunction>>;
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /** Working queues and dead-letter queues, by a short name. */
  readonly queues: Readonly<Record<string, sqs.IQueue>>;
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** The sweep-run workflow, once the stack has one. */
  readonly workflow?: sfn.IStateMachine;
}

const DAY = Duration.days(1);

/** A metric the product's functions emit (Powertools adds the `service` dimension). */
function productMetric(
  service: string,
  metricName: string,
  options: { dimensions?: Record<string, string>; statistic?: string; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service, ...options.dimensions },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: DAY,
    ...(options.label && { label: options.label }),
  });
}

/** The dashboard; `dashboardName` and `url` are the stack's outputs. */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** A direct link to the dashboard in the CloudWatch console. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-operations`,
      defaultInterval: Duration.days(14),
    });
    this.url = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards/dashboard/${this.dashboard.dashboardName}`;

    const sweep = METRIC_NAMES.sweep;
    const sweepMetric = (name: string, label: string, statistic?: string) =>
      productMetric(SERVICE_NAMES.sweep, name, { label, ...(statistic && { statistic }) });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# overdue-sweep\nLast night at a glance: the run (sums over the last day), the book ' +
          'by bucket, charges, the workflow, and everything that can stop the next run. ' +
          'The runbook (docs/runbook.md) says what to do for each alarm.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Last run (past 24 hours)',
        width: 24,
        height: 4,
        metrics: [
          sweepMetric(sweep.loansExamined, 'loans examined'),
          sweepMetric(sweep.loansOverdue, 'overdue'),
          sweepMetric(sweep.loansCharged, 'charged'),
          sweepMetric(sweep.loansChargedOff, 'charged off'),
          sweepMetric(sweep.eventsRecorded, 'events'),
          sweepMetric(sweep.loansSkipped, 'skipped'),
          sweepMetric(sweep.runDuration, 'duration (ms)', cloudwatch.Stats.MAXIMUM),
          sweepMetric(sweep.completed, 'complete (runs)'),
        ],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Delinquency buckets per day (overdue loans)',
        width: 12,
        stacked: true,
        left: BUCKETS.filter((bucket) => bucket !== 'M0').map((bucket) =>
          productMetric(SERVICE_NAMES.reporting, METRIC_NAMES.reporting.overdueLoans, {
            dimensions: { bucket },
            label: bucket,
          }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Charges and reversals per day (minor units, all currencies)',
        width: 12,
        left: [
          sweepMetric(sweep.lateFeesCharged, 'late fees'),
          sweepMetric(sweep.penaltyCharged, 'penalty interest'),
          sweepMetric(sweep.lateFeesReversed, 'late fees reversed'),
          sweepMetric(sweep.penaltyReversed, 'penalty reversed'),
        ],
      }),
    );

    const workflow = props.workflow;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Sweep-run workflow executions',
        width: 12,
        left: workflow
          ? [
              workflow.metricStarted({ period: DAY, label: 'started' }),
              workflow.metricSucceeded({ period: DAY, label: 'succeeded' }),
              workflow.metricFailed({ period: DAY, label: 'failed' }),
              workflow.metricTimedOut({ period: DAY, label: 'timed out' }),
              workflow.metricAborted({ period: DAY, label: 'aborted' }),
            ]
          : [],
      }),
      new cloudwatch.GraphWidget({
        title: 'Per-shard durations (busy ms over all parts)',
        width: 12,
        left: Array.from({ length: SWEEP_SHARDS }, (_, shard) =>
          productMetric(SERVICE_NAMES.sweep, sweep.shardDuration, {
            dimensions: { shard: String(shard) },
            statistic: cloudwatch.Stats.MAXIMUM,
            label: `shard ${shard}`,
          }),
        ),
      }),
    );

    const functions = Object.entries(props.functions);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        width: 8,
        left: functions.map(([name, fn]) =>
          fn.metricErrors({ period: Duration.minutes(5), label: name }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda throttles',
        width: 8,
        left: functions.map(([name, fn]) =>
          fn.metricThrottles({ period: Duration.minutes(5), label: name }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Event publishing: events published and iterator age (ms)',
        width: 8,
        left: [
          productMetric(SERVICE_NAMES.publisher, METRIC_NAMES.publisher.eventsPublished, {
            label: 'events published',
          }),
          productMetric(SERVICE_NAMES.publisher, METRIC_NAMES.publisher.publishBatchCalls, {
            label: 'PublishBatch calls',
          }),
        ],
        right: [
          props.functions.publisher.metric('IteratorAge', {
            statistic: cloudwatch.Stats.MAXIMUM,
            period: Duration.minutes(5),
            label: 'iterator age',
          }),
        ],
      }),
    );

    const publisher = METRIC_NAMES.publisher;
    const reminder = METRIC_NAMES.reminder;
    const reporting = METRIC_NAMES.reporting;
    /** A quarter-width graph of one function's daily sums, a series per `[metric, label]`. */
    const dailyGraph = (title: string, service: string, series: readonly [string, string][]) =>
      new cloudwatch.GraphWidget({
        title,
        width: 6,
        left: series.map(([name, label]) => productMetric(service, name, { label })),
      });
    /**
     * One series per value of `dimension` (reasons, currencies), whichever values are emitted, each
     * labelled with its value (a CloudWatch dynamic label).
     */
    const perDimension = (service: string, name: string, dimension: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${name}" service="${service}"', 'Sum', ${DAY.toSeconds()})`,
        usingMetrics: {},
        period: DAY,
        label: [label, `\${PROP('Dim.${dimension}')}`].filter(Boolean).join(' '),
      });
    this.dashboard.addWidgets(
      dailyGraph('Event publishing problems per day (should be 0)', SERVICE_NAMES.publisher, [
        [publisher.eventsNotAccepted, 'not accepted (retried)'],
        [publisher.eventsUnpublishable, 'unpublishable'],
        [publisher.unreadableOutboxes, 'unreadable outboxes'],
        [publisher.unreachableLoans, 'unreachable loans'],
      ]),
      dailyGraph('Borrower reminders per day', SERVICE_NAMES.reminder, [
        [reminder.remindersCreated, 'reminders created'],
        [reminder.linesAdded, 'lines added'],
        [reminder.linesCapped, 'lines held by the weekly cap'],
        [reminder.linesTooLate, 'lines after the reminder was sent'],
        [reminder.remindersSkipped, 'loan unreadable or missing'],
        [reminder.malformedEvents, 'malformed messages'],
        [reminder.messagesFailed, 'messages failed back to SQS'],
      ]),
      new cloudwatch.GraphWidget({
        title: 'Reminder lines not given per day, by reason',
        width: 6,
        stacked: true,
        left: [perDimension(SERVICE_NAMES.reminder, reminder.remindersSuppressed, 'reason', '')],
      }),
      dailyGraph('Reports: events counted per day', SERVICE_NAMES.reporting, [
        [reporting.eventsCounted, 'counted'],
        [reporting.duplicateEvents, 'duplicates (not counted again)'],
        [reporting.uncountableEvents, 'uncountable'],
        [reporting.malformedEvents, 'malformed messages'],
      ]),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        // Amounts are never added across currencies: a series per currency.
        title: 'Charges counted by the reports per day, by currency (minor units)',
        width: 24,
        left: [
          perDimension(SERVICE_NAMES.reporting, reporting.chargesApplied, 'currency', 'applied'),
          perDimension(SERVICE_NAMES.reporting, reporting.chargesReversed, 'currency', 'reversed'),
        ],
      }),
    );

    const tables = Object.entries(props.tables);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'DynamoDB throttled requests',
        width: 12,
        left: tables.flatMap(([name, table]) => [
          table.metric('ReadThrottleEvents', {
            period: Duration.minutes(5),
            label: `${name} read`,
          }),
          table.metric('WriteThrottleEvents', {
            period: Duration.minutes(5),
            label: `${name} write`,
          }),
        ]),
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed capacity units',
        width: 12,
        left: tables.map(([name, table]) =>
          table.metricConsumedReadCapacityUnits({
            period: Duration.minutes(5),
            label: `${name} read`,
          }),
        ),
        right: tables.map(([name, table]) =>
          table.metricConsumedWriteCapacityUnits({
            period: Duration.minutes(5),
            label: `${name} write`,
          }),
        ),
      }),
    );

    const depth = (queues: Readonly<Record<string, sqs.IQueue>>) =>
      Object.entries(queues).map(([name, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
          label: name,
        }),
      );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Queue depths', width: 12, left: depth(props.queues) }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues (should be 0)',
        width: 12,
        left: depth(props.deadLetterQueues),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        width: 24,
        alarms: [...props.alarms],
      }),
    );
  }
}

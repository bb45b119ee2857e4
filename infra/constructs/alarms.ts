/**
 * Operational alarms (docs/contract.md, Infrastructure) and the encrypted topic they notify: sweep errors, no completed
 * sweep in 26 hours, the event publisher falling behind, an event it can never publish, recorded
 * events it cannot read, a loan the sweep can never reach, and any dead-letter queue (the
 * publisher's on-failure queue included) holding a message.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRIC_NAMES,
  METRICS_NAMESPACE,
  SERVICE_NAMES,
} from '../../functions/contract/observability';

/** How far behind the stream publisher may fall before its iterator-age alarm fires. */
export const PUBLISHER_LAG_ALARM = Duration.minutes(15);

/** Hours without a `SweepCompleted` metric before the stale-sweep alarm fires. */
export const STALE_SWEEP_HOURS = 26;

/** An alarm on the first occurrence: the metric reaches 1 in one period; no data is no trouble. */
const ON_FIRST = {
  threshold: 1,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 1,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
} as const satisfies Partial<cloudwatch.AlarmProps>;

export interface OperationalAlarmsProps {
  readonly key: kms.IKey;
  readonly sweepFunction: lambda.IFunction;
  /** Dead-letter queues by a short name used in the alarm's id and description. */
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  /** The stream publisher: its iterator age says how far behind event publishing is. */
  readonly publisherFunction: lambda.IFunction;
  readonly email?: string;
}

/**
 * Conditions that hold only when CloudWatch acts for an alarm of `stack`'s account and region:
 * `aws:SourceAccount` is the account, `aws:SourceArn` is like `arn:…:cloudwatch:<region>:<account>:alarm:*`.
 */
export function alarmSourceConditions(stack: Stack): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  };
}

/** The alarm topic and every alarm, each notifying on ALARM and on recovery to OK. */
export class OperationalAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'overdue-sweep alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // The TLS deny (enforceSSL) becomes the topic's whole policy, replacing SNS's default one, so
    // CloudWatch must be allowed explicitly; it publishes as itself, and needs the topic key too.
    // Both grants hold only for alarms of this account and region (no confused deputy).
    const cloudWatchAlarmsOfThisAccount = alarmSourceConditions(Stack.of(this));
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: cloudWatchAlarmsOfThisAccount,
      }),
    );
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: cloudWatchAlarmsOfThisAccount,
      }),
    );
    if (props.email) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    }

    this.add('SweepErrors', {
      alarmDescription: 'The sweep function failed (Errors ≥ 1 in 5 minutes).',
      metric: props.sweepFunction.metricErrors({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.SUM,
      }),
      ...ON_FIRST,
    });

    // 26 hourly periods (CloudWatch allows period × evaluationPeriods up to 7 days for periods of
    // an hour or more); a missing datapoint counts as breaching, so silence is an alarm too.
    // The sweep counts a run complete once its sweep.completed is in its run record; delivering it
    // is the stream publisher's, whose iterator-age and on-failure alarms cover it.
    this.add('NoCompletedSweep', {
      alarmDescription: `No completed sweep (${METRIC_NAMES.sweep.completed}: a non-dry run finished and recorded its sweep.completed) in ${STALE_SWEEP_HOURS} hours.`,
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC_NAMES.sweep.completed,
        // Powertools Metrics adds the service name as the `service` dimension.
        dimensionsMap: { service: SERVICE_NAMES.sweep },
        period: Duration.hours(1),
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: STALE_SWEEP_HOURS,
      datapointsToAlarm: STALE_SWEEP_HOURS,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    // Events are recorded with each loan's write and published from the stream: an old iterator
    // means they are waiting (SNS failing, the publisher erroring), long before any is lost.
    this.add('PublisherIteratorAge', {
      alarmDescription: `Loan events wait to be published: the publisher's stream iterator is older than ${PUBLISHER_LAG_ALARM.toHumanString()}.`,
      metric: props.publisherFunction.metric('IteratorAge', {
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: PUBLISHER_LAG_ALARM.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Each of these is one loan or event that nothing will fix by retrying: alarm on the first.
    const publisherFindings: [string, string, string][] = [
      [
        'PublisherUnpublishableEvents',
        METRIC_NAMES.publisher.eventsUnpublishable,
        'An event SNS can never accept (too large, or refused as invalid) was not published; its loan id, event id and the reason are in the publisher log (`event cannot be published`).',
      ],
      [
        'PublisherUnreadableOutboxes',
        METRIC_NAMES.publisher.unreadableOutboxes,
        'A loan write recorded events the publisher cannot read, so none of them was published; the loan id and the reason are in the publisher log (`recorded events cannot be read`).',
      ],
      [
        'UnreachableLoans',
        METRIC_NAMES.publisher.unreachableLoans,
        'An ACTIVE loan was written with a sweepShard or nextDueDate the due index cannot use, so no sweep will ever reach it; the loan id and the attribute are in the publisher log (`unreachable loan`).',
      ],
    ];
    for (const [id, metricName, alarmDescription] of publisherFindings) {
      this.add(id, {
        alarmDescription,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName,
          dimensionsMap: { service: SERVICE_NAMES.publisher },
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.SUM,
        }),
        ...ON_FIRST,
      });
    }

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(`${name}DlqNotEmpty`, {
        alarmDescription: `The ${name} dead-letter queue holds a message: a delivery failed for good.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        ...ON_FIRST,
      });
    }
  }

  /** An alarm named `<stack>-<id>` (the runbook's names), notifying on alarm and on recovery. */
  add(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      alarmName: `${Stack.of(this).stackName}-${id}`,
    });
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}

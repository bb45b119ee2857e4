/**
 * The daily EventBridge Scheduler schedule that starts a sweep-run workflow execution at a
 * wall-clock time in the business time zone, passing the scheduled time so a retried or late run
 * sweeps the intended day.
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TimeOfDay } from '../config';
import { deadLetterQueue } from './encrypted-queue';

/** Scheduler retries a failed StartExecution this often … */
export const SCHEDULE_RETRY_ATTEMPTS = 3;
/** … for at most this long; after that the event goes to the dead-letter queue. */
export const SCHEDULE_MAX_EVENT_AGE = Duration.hours(1);

export interface DailyScheduleProps {
  /** The sweep-run workflow. */
  readonly target: sfn.IStateMachine;
  readonly timeZone: string;
  readonly time: TimeOfDay;
  /** Key of the schedule's dead-letter queue. */
  readonly key: kms.IKey;
}

/**
 * Daily schedule → StartExecution with `{"scheduledTime": …}`, retries and a dead-letter queue.
 * Scheduler's Step Functions target sets the input only: Step Functions names the executions.
 */
export class DailySchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DailyScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.deadLetterQueue = deadLetterQueue(this, 'Dlq', props.key);

    // Our own role (instead of the target's implicit one) so it can also use the DLQ's key.
    this.role = new iam.Role(this, 'Role', {
      description: 'EventBridge Scheduler: start the daily sweep-run workflow',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    // Sending to a KMS-encrypted queue needs a data key from the queue's key.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptDeadLetters',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
      }),
    );

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'overdue-sweep: daily sweep in the business time zone',
      schedule: scheduler.ScheduleExpression.cron({
        minute: String(props.time.minute),
        hour: String(props.time.hour),
        timeZone: TimeZone.of(props.timeZone),
      }),
      target: new targets.StepFunctionsStartExecution(props.target, {
        role: this.role,
        input: scheduler.ScheduleTargetInput.fromObject({
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
        maxEventAge: SCHEDULE_MAX_EVENT_AGE,
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
  }
}

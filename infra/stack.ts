/**
 * The overdue-sweep stack (docs/contract.md, Infrastructure): five tables, the events topic and consumer queues, the four
 * functions (sweep, stream publisher, reminder, reporting) with least-privilege grants, the sweep-run
 * workflow and its daily schedule, alarms, the dashboard and outputs.
 */
import {
  Annotations,
  CfnOutput,
  Duration,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { ENV, type EnvironmentOf, type FunctionName } from '../functions/contract/environment';
import { SERVICE_NAMES } from '../functions/contract/observability';
import {
  CREDIT_RECORDS_TABLE,
  DUE_INDEX,
  LEDGER_TABLE,
  LOANS_TABLE,
  REMINDERS_TABLE,
  REPORTS_TABLE,
  TABLES,
} from '../functions/contract/tables';
import { retiredContextWarnings, type StackConfig } from './config';
import { OperationalAlarms } from './constructs/alarms';
import { DailySchedule } from './constructs/daily-schedule';
import { OperationsDashboard } from './constructs/dashboard';
import { checkEnvironmentSizes } from './constructs/environment-size';
import { EventDistribution } from './constructs/event-distribution';
import { allowTable } from './constructs/permissions';
import { ServiceFunction } from './constructs/service-function';
import { StreamPublisher } from './constructs/stream-publisher';
import { SweepRunWorkflow } from './constructs/sweep-run-workflow';
import { DataTables } from './constructs/tables';
import {
  readTestEvents,
  ShareableTestEvents,
  SWEEP_TEST_EVENTS_DIR,
} from './constructs/test-events';

/** Sweep runtime limit: the Lambda maximum; a part stops taking loans well before it (docs/contract.md, Sweep). */
export const SWEEP_TIMEOUT = Duration.minutes(15);
/** The sweep's memory: Lambda gives a function one whole vCPU at 1,769 MB. */
export const SWEEP_MEMORY_MB = 1769;

/** Reminder and reporting functions handle one SQS batch of 10 per invocation. */
export const CONSUMER_TIMEOUT = Duration.seconds(30);
/** AWS's guidance for SQS event sources: visibility timeout ≥ 6 × the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** SQS messages per consumer invocation. */
export const CONSUMER_BATCH_SIZE = 10;
/**
 * Invocations the reminder queue may keep in flight. Uncapped, SQS scales a consumer towards a
 * thousand at 300 more a minute as a large night's events arrive: the two consumers alone would
 * take an account's default quota and throttle the sweep's parts (docs/decisions.md, Deploying).
 * Each reminder writes its borrowers' items only, so fifty keep up with a large night.
 */
export const REMINDER_MAX_CONCURRENCY = 50;
/**
 * Invocations the reporting queue may keep in flight: every batch is a transaction on its date's
 * report item, so more at once add conflicts, not throughput.
 */
export const REPORTING_MAX_CONCURRENCY = 5;

export interface OverdueSweepStackProps extends StackProps {
  readonly config: StackConfig;
}

/**
 * A function's environment, typed so that it can carry only the variables the function reads
 * (functions/contract/environment.ts).
 */
function environmentOf<F extends FunctionName>(
  _fn: F,
  environment: EnvironmentOf<F>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

/** Everything overdue-sweep needs in one account and region. */
export class OverdueSweepStack extends Stack {
  readonly tables: DataTables;
  readonly events: EventDistribution;
  readonly sweep: ServiceFunction;
  readonly reminder: ServiceFunction;
  readonly reporting: ServiceFunction;
  readonly publisher: StreamPublisher;
  readonly workflow: SweepRunWorkflow;
  readonly schedule: DailySchedule;
  readonly alarms: OperationalAlarms;
  readonly dashboard: OperationsDashboard;
  /** Undefined where the stack leaves the test events out (`testEvents`). */
  readonly sweepTestEvents?: ShareableTestEvents;

  constructor(scope: Construct, id: string, props: OverdueSweepStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.tables = new DataTables(this, 'Tables');
    const loans = this.tables.table(LOANS_TABLE.id);
    const ledger = this.tables.table(LEDGER_TABLE.id);
    const reminders = this.tables.table(REMINDERS_TABLE.id);
    const reports = this.tables.table(REPORTS_TABLE.id);

    const consumerVisibility = Duration.seconds(
      CONSUMER_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR,
    );
    this.events = new EventDistribution(this, 'Events', {
      visibilityTimeouts: { Reminder: consumerVisibility, Reporting: consumerVisibility },
    });

    const timeZone = { [ENV.businessTimeZone]: config.businessTimeZone };
    const feePolicy = config.feePolicy ? { [ENV.feePolicy]: config.feePolicy } : {};

    this.sweep = new ServiceFunction(this, 'Sweep', {
      entry: 'functions/sweep/handler.ts',
      description: 'overdue-sweep: daily sweep of overdue loans',
      serviceName: SERVICE_NAMES.sweep,
      timeout: SWEEP_TIMEOUT,
      // CPU binds a part (the AWS SDK's per-request work, one Node thread): 1,769 MB is one whole
      // vCPU, 1.7× what 1 GB gets, for the same cost per loan (Lambda bills GB-seconds).
      memorySize: SWEEP_MEMORY_MB,
      environment: environmentOf('sweep', {
        [ENV.loansTable]: loans.tableName,
        [ENV.ledgerTable]: ledger.tableName,
        ...timeZone,
        ...feePolicy,
      }),
    });
    this.reminder = new ServiceFunction(this, 'Reminder', {
      entry: 'functions/reminder/handler.ts',
      description: 'overdue-sweep: borrower reminders from loan events',
      serviceName: SERVICE_NAMES.reminder,
      timeout: CONSUMER_TIMEOUT,
      memorySize: 512,
      environment: environmentOf('reminder', {
        [ENV.loansTable]: loans.tableName,
        [ENV.remindersTable]: reminders.tableName,
        ...timeZone,
        ...feePolicy,
        ...(config.contactPolicy && { [ENV.contactPolicy]: config.contactPolicy }),
      }),
    });
    this.reporting = new ServiceFunction(this, 'Reporting', {
      entry: 'functions/reporting/handler.ts',
      description: 'overdue-sweep: daily portfolio report from loan events',
      serviceName: SERVICE_NAMES.reporting,
      timeout: CONSUMER_TIMEOUT,
      memorySize: 512,
      environment: environmentOf('reporting', {
        [ENV.reportsTable]: reports.tableName,
        [ENV.creditRecordsTable]: this.tables.table(CREDIT_RECORDS_TABLE.id).tableName,
      }),
    });
    this.publisher = new StreamPublisher(this, 'Publisher', {
      table: loans,
      topic: this.events.topic,
      topicKey: this.events.topicKey,
      queueKey: this.events.queueKey,
      environment: environmentOf('publisher', {
        [ENV.eventsTopicArn]: this.events.topic.topicArn,
        ...feePolicy,
      }),
    });

    this.workflow = new SweepRunWorkflow(this, 'SweepRun', {
      sweepFunction: this.sweep.function,
      functionTimeout: SWEEP_TIMEOUT,
      maxConcurrency: config.sweepMaxConcurrency,
    });
    this.handOffToWorkflow();

    this.grantSweep();
    this.grantConsumers();
    // The one role the events topic lets publish: the stream publisher, which delivers the loan
    // events and each run's sweep.completed from the loans table.
    this.events.allowPublisher(this.publisher.service.role);

    this.reminder.function.addEventSource(
      new SqsEventSource(this.events.queues.Reminder.queue, {
        batchSize: CONSUMER_BATCH_SIZE,
        maxConcurrency: REMINDER_MAX_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );
    this.reporting.function.addEventSource(
      new SqsEventSource(this.events.queues.Reporting.queue, {
        batchSize: CONSUMER_BATCH_SIZE,
        maxConcurrency: REPORTING_MAX_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );

    const opsKey = new kms.Key(this, 'OpsKey', {
      description: 'overdue-sweep operations: alarm topic and schedule dead-letter queue',
      enableKeyRotation: true,
    });
    this.schedule = new DailySchedule(this, 'DailySchedule', {
      target: this.workflow.stateMachine,
      timeZone: config.businessTimeZone,
      time: config.scheduleTime,
      key: opsKey,
    });

    this.alarms = new OperationalAlarms(this, 'Alarms', {
      key: opsKey,
      sweepFunction: this.sweep.function,
      deadLetterQueues: {
        Reminder: this.events.queues.Reminder.deadLetterQueue,
        Reporting: this.events.queues.Reporting.deadLetterQueue,
        Schedule: this.schedule.deadLetterQueue,
        PublisherFailures: this.publisher.failureQueue,
      },
      publisherFunction: this.publisher.service.function,
      ...(config.alarmEmail && { email: config.alarmEmail }),
    });
    for (const [alarmId, alarm] of Object.entries(this.workflow.alarms())) {
      this.alarms.add(alarmId, alarm);
    }

    this.dashboard = new OperationsDashboard(this, 'Operations', {
      functions: {
        sweep: this.sweep.function,
        publisher: this.publisher.service.function,
        reminder: this.reminder.function,
        reporting: this.reporting.function,
      },
      tables: Object.fromEntries(TABLES.map((t) => [t.id, this.tables.table(t.id)])),
      queues: {
        Reminder: this.events.queues.Reminder.queue,
        Reporting: this.events.queues.Reporting.queue,
      },
      deadLetterQueues: {
        Reminder: this.events.queues.Reminder.deadLetterQueue,
        Reporting: this.events.queues.Reporting.deadLetterQueue,
        Schedule: this.schedule.deadLetterQueue,
        PublisherFailures: this.publisher.failureQueue,
      },
      alarms: this.alarms.alarms,
      workflow: this.workflow.stateMachine,
    });

    if (config.testEvents) {
      this.sweepTestEvents = new ShareableTestEvents(this, 'SweepTestEvents', {
        target: this.sweep.function,
        events: readTestEvents(SWEEP_TEST_EVENTS_DIR),
        description: `overdue-sweep: console test events of the sweep (from ${SWEEP_TEST_EVENTS_DIR})`,
      });
    }

    this.acknowledgeFindings();
    this.addOutputs();
    for (const warning of retiredContextWarnings(this.node)) {
      Annotations.of(this).addWarningV2('overdue-sweep:retired-context-key', warning);
    }
    // Every function's, whatever sets its variables (FEE_POLICY, CONTACT_POLICY, …).
    checkEnvironmentSizes(this);
  }

  /**
   * Sweep: reads loans by key (BatchGetItem) and from the due index (Query), writes each change as
   * one transaction (UpdateItem on the loan, PutItem of ledger entries), records a run's
   * sweep.completed in its run record (a conditional PutItem on the loans table). It publishes
   * nothing itself.
   */
  private grantSweep(): void {
    const role = this.sweep.role;
    allowTable(
      role,
      this.tables.table(LOANS_TABLE.id),
      ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
      { names: [DUE_INDEX.indexName], actions: ['dynamodb:Query'] },
    );
    allowTable(role, this.tables.table(LEDGER_TABLE.id), ['dynamodb:PutItem']);
    // Rule 7: a loan with a backdated payment has its ledger read back (its own partition only).
    allowTable(role, this.tables.table(LEDGER_TABLE.id), ['dynamodb:Query']);
  }

  /**
   * Reminder: reads a batch's loans (BatchGetItem); reads reminders by key (BatchGetItem) and a
   * borrower's dates (Query on the table itself), writes a date's reminder (conditional PutItem),
   * and several dates in TransactWriteItems (PutItem, DeleteItem, ConditionCheckItem). Reporting:
   * creates a day's report (UpdateItem) and commits counters (Update) with event markers
   * (conditional Put), checking that no marker of the earlier form names the event
   * (ConditionCheck), in TransactWriteItems, which is authorised per item by UpdateItem, PutItem
   * and ConditionCheckItem; it reads no report. In the same transaction it writes the loans' credit
   * records (conditional PutItem), read first by key (BatchGetItem). Queues via the event sources.
   */
  private grantConsumers(): void {
    allowTable(this.reminder.role, this.tables.table(LOANS_TABLE.id), ['dynamodb:BatchGetItem']);
    allowTable(this.reminder.role, this.tables.table(REMINDERS_TABLE.id), [
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ]);
    allowTable(this.reporting.role, this.tables.table(REPORTS_TABLE.id), [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
    ]);
    allowTable(this.reporting.role, this.tables.table(CREDIT_RECORDS_TABLE.id), [
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
    ]);
  }

  /**
   * A direct run low on time hands the rest to a new workflow execution (never to itself). The
   * ARN is built from the state machine's fixed name, so neither the function nor its role
   * depends on the state machine, which depends on them.
   */
  private handOffToWorkflow(): void {
    this.sweep.function.addEnvironment(ENV.stateMachineArn, this.workflow.stateMachineArn);
    this.sweep.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'HandOffToWorkflow',
        actions: ['states:StartExecution'],
        resources: [this.workflow.stateMachineArn],
      }),
    );
    // A workflow step is refused unless its execution is running: the executions of this state
    // machine and its Distributed Map's child executions (`<name>/<map run>:<id>`), by the name
    // fixed in advance, so no reference to the state machine makes a dependency cycle.
    const executions = this.workflow.stateMachineArn.replace(':stateMachine:', ':execution:');
    this.sweep.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CheckWorkflowExecutions',
        actions: ['states:DescribeExecution'],
        resources: [`${executions}:*`, `${executions}/*`],
      }),
    );
  }

  /** cdk-nag findings we accept, each with the reason it does not apply. */
  private acknowledgeFindings(): void {
    // The executions the sweep may describe, as cdk-nag renders them in a finding.
    const rendered = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<${pseudo}>` : value;
    const executions = `arn:${rendered(this.partition, 'AWS::Partition')}:states:${rendered(this.region, 'AWS::Region')}:<AWS::AccountId>:execution:${SweepRunWorkflow.stateMachineNameOf(this)}`;
    Validations.of(this.sweep.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
        reason:
          'A workflow step is taken only from a running execution of the sweep-run state machine (DescribeExecution); execution names are chosen at start, so the wildcard covers the executions of this state machine only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}/*]`,
        reason:
          "The shard parts run in the Distributed Map's child executions, whose ids Step Functions generates; the wildcard covers child executions of this state machine only.",
      },
    );
    for (const service of [this.sweep, this.publisher.service, this.reminder, this.reporting]) {
      Validations.of(service.function).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'docs/contract.md pins the Node.js 22 runtime; the code and its tests target Node 20/22, and a ' +
          'runtime upgrade is a deliberate, tested change rather than a default.',
      });
    }
    // The stream event source's grants, written by CDK: ListStreams has no resource-level
    // permissions, and sending to the KMS-encrypted on-failure queue needs its key.
    Validations.of(this.publisher.service.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams, which the stream event source needs, supports no resource-level ' +
          'permission (AWS service authorization reference); every other action names a resource.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "CDK's grant to send to the KMS-encrypted on-failure queue, limited to that queue's key.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason:
          "CDK's grant to send to the KMS-encrypted on-failure queue, limited to that queue's key.",
      },
    );
    Validations.of(this.publisher.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the stream event source's on-failure destination (a dead-letter queue " +
        'cdk-nag cannot see as one); a DLQ needs no DLQ of its own.',
    });
    Validations.of(this.schedule.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the daily schedule (a Scheduler target DLQ, ' +
        'which cdk-nag cannot see as a redrive source); a DLQ needs no DLQ of its own.',
    });
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('SweepFunctionName', this.sweep.function.functionName, 'Sweep Lambda function');
    output('ReminderFunctionName', this.reminder.function.functionName, 'Reminder Lambda');
    output('ReportingFunctionName', this.reporting.function.functionName, 'Reporting Lambda');
    output(
      'PublisherFunctionName',
      this.publisher.service.function.functionName,
      'Stream publisher Lambda (publishes the events the sweep records)',
    );
    for (const definition of TABLES) {
      output(
        `${definition.id}TableName`,
        this.tables.table(definition.id).tableName,
        `${definition.id} table (${definition.envVar})`,
      );
    }
    output('EventsTopicArn', this.events.topic.topicArn, 'Events topic (EVENTS_TOPIC_ARN)');
    output('ReminderQueueUrl', this.events.queues.Reminder.queue.queueUrl, 'Reminder queue');
    output('ReportingQueueUrl', this.events.queues.Reporting.queue.queueUrl, 'Reporting queue');
    output('AlarmTopicArn', this.alarms.topic.topicArn, 'Alarm notifications topic');
    output(
      'SweepRunStateMachineArn',
      this.workflow.stateMachine.stateMachineArn,
      'Sweep-run workflow: start an execution for a whole run or a backfill',
    );
    output('DashboardName', this.dashboard.dashboard.dashboardName, 'Operations dashboard');
    output('DashboardUrl', this.dashboard.url, 'Operations dashboard in the CloudWatch console');
  }
}

import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REMINDER_SUBSCRIPTION } from '../../functions/contract/events';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../functions/contract/observability';
import {
  CREDIT_RECORDS_TABLE,
  DUE_INDEX,
  LEDGER_TABLE,
  LOANS_TABLE,
  PUBLISHER_STREAM_FILTERS,
  REMINDERS_TABLE,
  REPORTS_TABLE,
  TABLES,
  type TableDefinition,
} from '../../functions/contract/tables';
import { MAX_RECEIVE_COUNT } from '../../infra/constructs/encrypted-queue';
import { STREAM_RETENTION } from '../../infra/constructs/stream-publisher';
import {
  CONSUMER_TIMEOUT,
  REMINDER_MAX_CONCURRENCY,
  REPORTING_MAX_CONCURRENCY,
  SWEEP_TIMEOUT,
  VISIBILITY_TIMEOUT_FACTOR,
} from '../../infra/stack';
import { grantsOf, logicalId, render, type Synthesized, synthesize } from './synth';

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };

let synth: Synthesized;
let resources: Record<string, Resource>;
const ids: Record<string, string> = {};

beforeAll(() => {
  synth = synthesize();
  resources = synth.template.toJSON().Resources as Record<string, Resource>;
  const { stack } = synth;
  for (const definition of TABLES) {
    ids[definition.id] = logicalId(stack, stack.tables.table(definition.id));
  }
  Object.assign(ids, {
    topic: logicalId(stack, stack.events.topic),
    topicKey: logicalId(stack, stack.events.topicKey),
    queueKey: logicalId(stack, stack.events.queueKey),
    reminderQueue: logicalId(stack, stack.events.queues.Reminder.queue),
    reminderDlq: logicalId(stack, stack.events.queues.Reminder.deadLetterQueue),
    reportingQueue: logicalId(stack, stack.events.queues.Reporting.queue),
    reportingDlq: logicalId(stack, stack.events.queues.Reporting.deadLetterQueue),
    scheduleDlq: logicalId(stack, stack.schedule.deadLetterQueue),
    alarmTopic: logicalId(stack, stack.alarms.topic),
    sweep: logicalId(stack, stack.sweep.function),
    reminder: logicalId(stack, stack.reminder.function),
    reporting: logicalId(stack, stack.reporting.function),
    sweepRole: logicalId(stack, stack.sweep.role),
    reminderRole: logicalId(stack, stack.reminder.role),
    reportingRole: logicalId(stack, stack.reporting.role),
    stateMachine: logicalId(stack, stack.workflow.stateMachine),
    publisher: logicalId(stack, stack.publisher.service.function),
    publisherRole: logicalId(stack, stack.publisher.service.role),
    publisherFailures: logicalId(stack, stack.publisher.failureQueue),
  });
});

const props = (id: string | undefined) => {
  const resource = resources[id ?? ''];
  if (!resource) throw new Error(`no resource ${id}`);
  return resource.Properties;
};

function keySchemaOf(definition: Pick<TableDefinition, 'partitionKey' | 'sortKey'>) {
  return [
    { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
    ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
  ];
}

describe('tables', () => {
  it.each(TABLES.map((t) => [t.id, t] as const))(
    'the %s table has the defined keys, on-demand billing, PITR, encryption and is retained',
    (id, definition) => {
      const table = props(ids[id]);
      expect(table.KeySchema).toEqual(keySchemaOf(definition));
      expect(table.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(table.SSESpecification).toEqual({ SSEEnabled: true });
      expect(resources[ids[id] ?? '']?.DeletionPolicy).toBe('Retain');
    },
  );

  it('the loans table has the sparse due index on (sweepShard N, nextDueDate S), all projected', () => {
    const loans = props(ids[LOANS_TABLE.id]);
    expect(loans.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'dueIndex',
        KeySchema: [
          { AttributeName: 'sweepShard', KeyType: 'HASH' },
          { AttributeName: 'nextDueDate', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(loans.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'sweepShard', AttributeType: 'N' },
        { AttributeName: 'nextDueDate', AttributeType: 'S' },
      ]),
    );
  });

  it('the credit records table is keyed by loan and month, with the month index all projected', () => {
    const records = props(ids[CREDIT_RECORDS_TABLE.id]);
    expect(records.KeySchema).toEqual([
      { AttributeName: 'loanId', KeyType: 'HASH' },
      { AttributeName: 'month', KeyType: 'RANGE' },
    ]);
    expect(records.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'monthIndex',
        KeySchema: [
          { AttributeName: 'monthShard', KeyType: 'HASH' },
          { AttributeName: 'loanIdPrefix', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(records.StreamSpecification).toBeUndefined();
  });

  it('the reports table expires dedupe markers by TTL on expiresAt; other tables have no TTL', () => {
    expect(props(ids[REPORTS_TABLE.id]).TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    for (const definition of [LOANS_TABLE, LEDGER_TABLE, REMINDERS_TABLE, CREDIT_RECORDS_TABLE]) {
      expect(props(ids[definition.id]).TimeToLiveSpecification).toBeUndefined();
    }
  });
});

describe('events topic and queues', () => {
  it('the events topic is a standard topic encrypted with a rotating customer-managed key', () => {
    const topic = props(ids.topic);
    expect(topic.FifoTopic).toBeUndefined();
    expect(render(topic.KmsMasterKeyId)).toBe(`<${ids.topicKey}.Arn>`);
    expect(props(ids.topicKey).EnableKeyRotation).toBe(true);
    expect(props(ids.queueKey).EnableKeyRotation).toBe(true);
  });

  it('the events and alarm topics deny publishing without TLS', () => {
    for (const topic of [ids.topic, ids.alarmTopic]) {
      synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('every queue is KMS-encrypted and denies requests without TLS', () => {
    const queues = synth.template.findResources('AWS::SQS::Queue');
    // Two consumer queues, their DLQs, the schedule's DLQ, the publisher's on-failure queue.
    expect(Object.keys(queues)).toHaveLength(6);
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties.KmsMasterKeyId, id).toBeDefined();
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('both subscriptions use raw delivery; reminder filters as defined, reporting takes all', () => {
    const subscriptions = Object.values(synth.template.findResources('AWS::SNS::Subscription'));
    const byQueue = new Map(
      subscriptions.map((s) => [render(s.Properties.Endpoint), s.Properties]),
    );
    const reminder = byQueue.get(`<${ids.reminderQueue}.Arn>`);
    const reporting = byQueue.get(`<${ids.reportingQueue}.Arn>`);
    expect(reminder?.RawMessageDelivery).toBe(true);
    expect(reminder?.FilterPolicy).toEqual(REMINDER_SUBSCRIPTION.filterPolicy);
    expect(reporting?.RawMessageDelivery).toBe(true);
    expect(reporting?.FilterPolicy).toBeUndefined();
    expect(render(reminder?.TopicArn)).toBe(`<${ids.topic}>`);
  });

  it('SNS may use the queue key only on behalf of the events topic', () => {
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'sns.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: ids.topic } } },
          }),
        ]),
      },
    });
  });

  it.each([
    ['reminder', 'reminderQueue', 'reminderDlq'],
    ['reporting', 'reportingQueue', 'reportingDlq'],
  ])(
    'the %s queue has a DLQ after 5 receives and visibility ≥ 6 × the function timeout',
    (fn, queue, dlq) => {
      const properties = props(ids[queue]);
      expect(properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [ids[dlq], 'Arn'] },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      });
      const timeout = props(ids[fn]).Timeout as number;
      expect(properties.VisibilityTimeout).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * timeout,
      );
    },
  );

  it('consumers read their queue in batches of 10, at most so many at once, and report partial batch failures', () => {
    for (const [fn, queue, maxConcurrency] of [
      ['reminder', 'reminderQueue', REMINDER_MAX_CONCURRENCY],
      ['reporting', 'reportingQueue', REPORTING_MAX_CONCURRENCY],
    ] as const) {
      synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: ids[fn] },
        EventSourceArn: { 'Fn::GetAtt': [ids[queue], 'Arn'] },
        BatchSize: 10,
        ScalingConfig: { MaximumConcurrency: maxConcurrency },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
    // What an SQS event source accepts (CloudFormation refuses anything outside 2–1,000).
    for (const cap of [REMINDER_MAX_CONCURRENCY, REPORTING_MAX_CONCURRENCY]) {
      expect(Number.isInteger(cap) && cap >= 2 && cap <= 1_000).toBe(true);
    }
    const fromQueues = Object.values(
      synth.template.findResources('AWS::Lambda::EventSourceMapping'),
    ).filter((m) => render(m.Properties.EventSourceArn).includes('Queue'));
    expect(fromQueues).toHaveLength(2);
  });
});

describe('functions', () => {
  it.each([
    ['sweep', SWEEP_TIMEOUT.toSeconds(), 'functions/sweep/handler.ts'],
    ['reminder', CONSUMER_TIMEOUT.toSeconds(), 'functions/reminder/handler.ts'],
    ['reporting', CONSUMER_TIMEOUT.toSeconds(), 'functions/reporting/handler.ts'],
  ])('%s runs Node.js 22 on arm64 with a %i s timeout and its own log group', (fn, timeout) => {
    const properties = props(ids[fn]);
    expect(properties.Runtime).toBe('nodejs22.x');
    expect(properties.Architectures).toEqual(['arm64']);
    expect(properties.Timeout).toBe(timeout);
    expect(properties.Handler).toBe('index.handler');
    const logGroup = render((properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
    const retention = props(logGroup.slice(1, -1)).RetentionInDays;
    expect(retention).toBeGreaterThan(0);
  });

  it('the sweep gets 15 minutes and 1 GB; consumers 30 seconds', () => {
    expect(props(ids.sweep).Timeout).toBe(900);
    // One whole vCPU: the sweep's parts are bound by CPU (docs/performance.md, On AWS).
    expect(props(ids.sweep).MemorySize).toBe(1769);
    expect(props(ids.reminder).Timeout).toBe(30);
  });

  const common = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'];
  it.each([
    [
      'sweep',
      ['LOANS_TABLE_NAME', 'LEDGER_TABLE_NAME', 'BUSINESS_TIMEZONE', 'SWEEP_STATE_MACHINE_ARN'],
    ],
    ['reminder', ['LOANS_TABLE_NAME', 'REMINDERS_TABLE_NAME', 'BUSINESS_TIMEZONE']],
    ['reporting', ['REPORTS_TABLE_NAME', 'CREDIT_RECORDS_TABLE_NAME']],
    ['publisher', ['EVENTS_TOPIC_ARN']],
  ])('%s receives exactly the environment it reads', (fn, expected) => {
    const env = (props(ids[fn]).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).sort()).toEqual([...expected, ...common].sort());
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(fn);
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
    if (expected.includes('BUSINESS_TIMEZONE')) expect(env.BUSINESS_TIMEZONE).toBe('Asia/Shanghai');
  });

  it('table and topic variables point at the right resources', () => {
    const sweepEnv = (props(ids.sweep).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(sweepEnv.LOANS_TABLE_NAME).toEqual({ Ref: ids.Loans });
    expect(sweepEnv.LEDGER_TABLE_NAME).toEqual({ Ref: ids.Ledger });
    expect(sweepEnv.EVENTS_TOPIC_ARN).toBeUndefined();
    const reportingEnv = (
      props(ids.reporting).Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(reportingEnv.REPORTS_TABLE_NAME).toEqual({ Ref: ids.Reports });
    expect(reportingEnv.CREDIT_RECORDS_TABLE_NAME).toEqual({ Ref: ids.CreditRecords });
  });

  it('recursive-loop detection stays on for every function', () => {
    for (const fn of ['sweep', 'publisher', 'reminder', 'reporting']) {
      expect(props(ids[fn]).RecursiveLoop).toBe('Terminate');
    }
  });
});

describe('least privilege', () => {
  const arn = (id: string | undefined) => `<${id}.Arn>`;
  const dueIndexArn = () => `${arn(ids.Loans)}/index/${DUE_INDEX.indexName}`;
  const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

  it('the sweep reads loans by key, updates them in its transactions, writes run records, queries only the due index, appends to and reads back the ledger', () => {
    const grants = grantsOf(synth.template, ids.sweepRole ?? '');
    // Exactly the calls it makes: no GetItem, no Query on the base table, no ConditionCheckItem;
    // PutItem for the run records that carry sweep.completed (written once, conditionally).
    expect([...(grants.get(arn(ids.Loans)) ?? [])].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect([...(grants.get(dueIndexArn()) ?? [])]).toEqual(['dynamodb:Query']);
    expect([...(grants.get(arn(ids.Ledger)) ?? [])].sort()).toEqual([
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
  });

  it('the sweep publishes nothing (the stream publisher sends its run records) and invokes no function', () => {
    const grants = grantsOf(synth.template, ids.sweepRole ?? '');
    expect(grants.get(`<${ids.topic}>`)).toBeUndefined();
    expect(grants.get(arn(ids.topicKey))).toBeUndefined();
    expect([...grants.values()].some((actions) => actions.has('sns:Publish'))).toBe(false);
    const invoking = [...grants].filter(([, actions]) => actions.has('lambda:InvokeFunction'));
    expect(invoking).toEqual([]);
  });

  it('the sweep cannot touch the reminders, reports or credit records tables or the queues', () => {
    const resourcesGranted = [...grantsOf(synth.template, ids.sweepRole ?? '').keys()];
    for (const forbidden of [
      ids.Reminders,
      ids.Reports,
      ids.CreditRecords,
      ids.reminderQueue,
      ids.reportingQueue,
    ]) {
      expect(resourcesGranted.some((r) => r.includes(`<${forbidden}`))).toBe(false);
    }
  });

  it('the reminder reads loans, reads and writes reminders and consumes only its queue', () => {
    const grants = grantsOf(synth.template, ids.reminderRole ?? '');
    // A batch's loans in one BatchGetItem; no GetItem, no write to loans.
    expect([...(grants.get(arn(ids.Loans)) ?? [])]).toEqual(['dynamodb:BatchGetItem']);
    // Reminders by key and a borrower's dates by Query; conditional puts, and transactions of
    // puts, deletes and condition checks; no UpdateItem, no Scan, no index.
    expect([...(grants.get(arn(ids.Reminders)) ?? [])].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect([...grants.keys()].some((r) => r.includes(`<${ids.Reminders}.Arn>/`))).toBe(false);
    expect(grants.get(arn(ids.reminderQueue))).toContain('sqs:DeleteMessage');
    expect(grants.has(arn(ids.reportingQueue))).toBe(false);
    expect([...grants.keys()].some((r) => r.includes(`<${ids.Ledger}`))).toBe(false);
    expect([...grants.keys()].some((r) => r.includes(`<${ids.Reports}`))).toBe(false);
    expect([...grants.keys()].some((r) => r.includes(`<${ids.CreditRecords}`))).toBe(false);
  });

  it('the reporting function only updates report items and puts event markers, and consumes only its queue', () => {
    const grants = grantsOf(synth.template, ids.reportingRole ?? '');
    // UpdateItem (a day's report, the counters), PutItem (markers) and ConditionCheckItem (no
    // marker of the earlier form) in TransactWriteItems: it reads no report.
    expect([...(grants.get(arn(ids.Reports)) ?? [])].sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // Its credit records: read by key before the transaction, put in it under a condition; the
    // month index is the extract's (an operator's), never the function's.
    expect([...(grants.get(arn(ids.CreditRecords)) ?? [])].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
    ]);
    expect([...grants.keys()].some((r) => r.includes('/index/'))).toBe(false);
    expect(grants.get(arn(ids.reportingQueue))).toContain('sqs:ReceiveMessage');
    for (const forbidden of [ids.Loans, ids.Ledger, ids.Reminders, ids.reminderQueue]) {
      expect([...grants.keys()].some((r) => r.includes(`<${forbidden}`))).toBe(false);
    }
  });

  it('consumers cannot write loans or the ledger', () => {
    for (const role of [ids.reminderRole, ids.reportingRole]) {
      const grants = grantsOf(synth.template, role ?? '');
      for (const table of [ids.Loans, ids.Ledger]) {
        for (const [resource, actions] of grants) {
          if (!resource.includes(`<${table}`)) continue;
          for (const action of writeActions) expect(actions.has(action)).toBe(false);
        }
      }
    }
  });

  it('no function role has a wildcard action or a * resource', () => {
    for (const role of [ids.sweepRole, ids.reminderRole, ids.reportingRole]) {
      const grants = grantsOf(synth.template, role ?? '');
      expect(grants.size).toBeGreaterThan(0);
      expect(grants.has('*')).toBe(false);
      for (const actions of grants.values()) {
        for (const action of actions) expect(action).not.toContain('*');
      }
    }
  });

  it('no identity policy in the stack grants dynamodb:* or a wildcard DynamoDB action', () => {
    const text = JSON.stringify(synth.template.findResources('AWS::IAM::Policy'));
    expect(text).not.toMatch(/"dynamodb:[A-Za-z]*\*"/);
  });
});

describe('daily schedule', () => {
  it('starts the sweep-run workflow at 00:30 in the business time zone with the scheduled time', () => {
    synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 0 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { Ref: ids.stateMachine },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.scheduleDlq, 'Arn'] } },
      }),
    });
  });

  it('the scheduler role may send to its dead-letter queue and use that queue key', () => {
    const role = logicalId(synth.stack, synth.stack.schedule.role);
    const grants = grantsOf(synth.template, role);
    expect([...(grants.get(`<${ids.scheduleDlq}.Arn>`) ?? [])]).toEqual(['sqs:SendMessage']);
    const dlqKey = render(props(ids.scheduleDlq).KmsMasterKeyId);
    expect(grants.get(dlqKey)).toContain('kms:GenerateDataKey');
    expect([...(grants.get(`<${ids.stateMachine}>`) ?? [])]).toEqual(['states:StartExecution']);
    const invoking = [...grants].filter(([, actions]) => actions.has('lambda:InvokeFunction'));
    expect(invoking).toEqual([]);
  });
});

describe('alarms', () => {
  type Alarm = Record<string, unknown>;
  const alarms = () =>
    Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as Alarm,
    );

  it('alarms on any sweep error', () => {
    const errors = alarms().find((a) => a.MetricName === 'Errors');
    expect(errors).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.sweep } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when no sweep completed in 26 hours, treating silence as breaching', () => {
    const stale = alarms().find((a) => a.MetricName === METRIC_NAMES.sweep.completed);
    expect(stale).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: 'sweep' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    // CloudWatch's limit for periods of an hour or more: period × evaluation periods ≤ 7 days.
    expect((stale?.Period as number) * (stale?.EvaluationPeriods as number)).toBeLessThanOrEqual(
      7 * 24 * 3600,
    );
  });

  it("alarms on each dead-letter queue holding a message, the publisher's on-failure queue too", () => {
    const dlqAlarms = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    const queues = dlqAlarms.map((a) => render((a.Dimensions as { Value: unknown }[])[0]?.Value));
    expect(queues.sort()).toEqual(
      [ids.reminderDlq, ids.reportingDlq, ids.scheduleDlq, ids.publisherFailures]
        .map((id) => `<${id}.QueueName>`)
        .sort(),
    );
    for (const alarm of dlqAlarms) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('every alarm notifies the encrypted alarm topic on alarm and on recovery', () => {
    const all = alarms();
    // 10 of operations (sweep, publisher lag, stale run, 4 queues, and the publisher's findings:
    // unpublishable events, unreadable outboxes, unreachable loans) and 3 of the sweep-run workflow.
    expect(all).toHaveLength(13);
    for (const alarm of all) {
      expect(alarm.AlarmActions).toEqual([{ Ref: ids.alarmTopic }]);
      expect(alarm.OKActions).toEqual([{ Ref: ids.alarmTopic }]);
    }
    expect(props(ids.alarmTopic).KmsMasterKeyId).toBeDefined();
  });

  it('CloudWatch may use the alarm topic key', () => {
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('has no e-mail subscription unless one is configured', () => {
    const subscriptions = Object.values(synth.template.findResources('AWS::SNS::Subscription'));
    expect(subscriptions.some((s) => s.Properties.Protocol === 'email')).toBe(false);
  });
});

describe('the stream publisher (docs/contract.md, Guarantees)', () => {
  it('the loans table streams new and old images; no other table streams', () => {
    expect(props(ids.Loans).StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    for (const id of [ids.Ledger, ids.Reminders, ids.Reports, ids.CreditRecords]) {
      expect(props(id).StreamSpecification).toBeUndefined();
    }
  });

  it('its event source filters, bisects, retries from the failed record for 20 hours, then goes to its on-failure queue', () => {
    const mappings = Object.values(
      synth.template.findResources('AWS::Lambda::EventSourceMapping'),
    ).map((m) => m.Properties as Record<string, unknown>);
    const stream = mappings.filter((m) => render(m.FunctionName) === `<${ids.publisher}>`);
    expect(stream).toHaveLength(1);
    expect(stream[0]).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [ids.Loans, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 20 * 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [ids.publisherFailures, 'Arn'] } },
      },
    });
    const criteria = stream[0]?.FilterCriteria as { Filters: { Pattern: string }[] } | undefined;
    const filters = criteria?.Filters ?? [];
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual(PUBLISHER_STREAM_FILTERS);
  });

  it('gives up on a record hours before the stream may trim it, so its failure is always described', () => {
    const mapping = Object.values(
      synth.template.findResources('AWS::Lambda::EventSourceMapping'),
    ).find((m) => render(m.Properties.FunctionName) === `<${ids.publisher}>`);
    const maxAge = Number(mapping?.Properties.MaximumRecordAgeInSeconds);
    // DynamoDB Streams keeps a record 24 hours, then may trim it at any moment.
    expect(STREAM_RETENTION.toSeconds()).toBe(86_400);
    expect(maxAge).toBeLessThanOrEqual(STREAM_RETENTION.toSeconds() - 4 * 3600);
    // …and still long enough to ride out an outage of a few hours.
    expect(maxAge).toBeGreaterThanOrEqual(12 * 3600);
  });

  it('its role reads the loans stream and publishes to the events topic, and nothing else', () => {
    const grants = grantsOf(synth.template, ids.publisherRole ?? '');
    expect([...(grants.get(`<${ids.Loans}.StreamArn>`) ?? [])].sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ]);
    expect([...(grants.get('*') ?? [])]).toEqual(['dynamodb:ListStreams']);
    expect([...(grants.get(`<${ids.topic}>`) ?? [])]).toEqual(['sns:Publish']);
    for (const table of [ids.Loans, ids.Ledger, ids.Reminders, ids.Reports, ids.CreditRecords]) {
      expect(grants.get(`<${table}.Arn>`), table).toBeUndefined();
    }
    const invokes = [...grants].filter(([, actions]) => actions.has('lambda:InvokeFunction'));
    expect(invokes).toEqual([]);
  });

  it.each([
    ['PublisherUnpublishableEvents', METRIC_NAMES.publisher.eventsUnpublishable],
    ['PublisherUnreadableOutboxes', METRIC_NAMES.publisher.unreadableOutboxes],
    ['UnreachableLoans', METRIC_NAMES.publisher.unreachableLoans],
  ])('alarms %s on the first %s the publisher counts', (name, metricName) => {
    const alarm = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Record<string, unknown>)
      .find((a) => a.MetricName === metricName);
    expect(alarm).toMatchObject({
      AlarmName: `OverdueSweep-${name}`,
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: 'publisher' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it("alarms when the publisher's iterator falls 15 minutes behind", () => {
    const lag = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Record<string, unknown>)
      .find((a) => a.MetricName === 'IteratorAge');
    expect(lag).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.publisher } }],
      Statistic: 'Maximum',
      Threshold: 15 * 60 * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('outputs', () => {
  it('names the functions, tables, topic, queues and the sweep-run workflow', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.SweepFunctionName?.Value).toEqual({ Ref: ids.sweep });
    expect(outputs.ReminderFunctionName?.Value).toEqual({ Ref: ids.reminder });
    expect(outputs.ReportingFunctionName?.Value).toEqual({ Ref: ids.reporting });
    for (const definition of TABLES) {
      expect(outputs[`${definition.id}TableName`]?.Value).toEqual({ Ref: ids[definition.id] });
    }
    expect(outputs.CreditRecordsTableName?.Value).toEqual({ Ref: ids.CreditRecords });
    expect(outputs.EventsTopicArn?.Value).toEqual({ Ref: ids.topic });
    expect(outputs.ReminderQueueUrl?.Value).toEqual({ Ref: ids.reminderQueue });
    expect(outputs.ReportingQueueUrl?.Value).toEqual({ Ref: ids.reportingQueue });
    expect(outputs.SweepRunStateMachineArn?.Value).toEqual({ Ref: ids.stateMachine });
  });
});

/**
 * The whole system on one machine (SPEC §10): the stack's resources on the emulators, a seeded
 * demo portfolio, each business day swept by an execution of the synthesized sweep-run workflow
 * (its tasks calling the real sweep handler), and the SNS→SQS messages handed to the real reminder
 * and reporting handlers in batches, as Lambda's event source mapping would.
 * `runLocal` assumes the AWS SDK already points at running emulators (AWS_ENDPOINT_URL_*).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { createReportStore, type ReportItem } from '../../functions/adapters/report-store';
import { addDays, DEFAULT_BUSINESS_TIMEZONE } from '../../functions/core/dates';
import { orderedLines, type ReminderLine } from '../../functions/core/reminders';
import type { BusinessDate } from '../../functions/core/types';
import type { WorkflowSummary } from '../../functions/sweep/finish';
import { DEMO_FEE_POLICY, demoPortfolio, seededRandom } from './demo-portfolio';
import { createLocalResources, type LocalEventsTopology } from './local-resources';
import { createPublisherPump } from './stream-pump';
import {
  dayExecutionInput,
  localFunction,
  type ShardProgress,
  shardProgressTracker,
  startExecution,
  synthesizedWorkflow,
} from './workflow';

/** What `npm start` was asked to do. */
export interface LocalRunOptions {
  readonly loans: number;
  readonly asOf: BusinessDate;
  readonly days: number;
  readonly dryRun: boolean;
  readonly seed: number;
}

/** One business day of the run. Amounts in CNY fen. */
export interface DayResult {
  readonly asOf: BusinessDate;
  /** The workflow's output: the run summary with each shard's figures. */
  readonly summary: WorkflowSummary;
  /** The day's workflow execution and the parts each shard took. */
  readonly execution: {
    readonly executionArn: string;
    readonly input: Record<string, unknown>;
    readonly partsByShard: readonly number[];
  };
  readonly report: ReportItem | undefined;
  /** Borrowers who paid their oldest overdue instalment before this day's sweep. */
  readonly payments: number;
  /** What those borrowers paid (principal + interest), CNY fen. */
  readonly recovered: number;
  readonly remindersCreated: number;
  readonly messagesDelivered: { readonly reminder: number; readonly reporting: number };
  /**
   * Batch item failures the handlers reported, left on their queue for redelivery after its
   * visibility timeout (later than this run looks; a redrive moves repeats to the dead-letter queue).
   */
  readonly messagesFailed: { readonly reminder: number; readonly reporting: number };
}

/** A borrower's reminder as written to the reminders table. */
export interface ReminderSample {
  readonly borrowerId: string;
  readonly asOf: string;
  /** The loans it names, most urgent first. */
  readonly loanIds: readonly string[];
  readonly kind: string;
  readonly locale: string;
  readonly message: string;
  readonly sendAfter: string;
  readonly sendBefore: string;
}

export interface LocalRunResult {
  readonly options: LocalRunOptions;
  readonly days: readonly DayResult[];
  /**
   * A few borrowers' reminders of the last day, both locales, and some naming several loans (of an
   * earlier day when the weekly cap leaves the last day without one).
   */
  readonly reminders: readonly ReminderSample[];
}

/** Reports progress of the long phases; `total` may be unknown; `detail` says more (e.g. per shard). */
export type Progress = (phase: string, done: number, total?: number, detail?: string) => void;

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

const BATCH_WRITE_LIMIT = 25;
const SQS_BATCH = 10;

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `local-${Date.now()}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 15 * 60 * 1000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

async function seed(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: LocalRunOptions,
  progress: Progress,
) {
  let batch: Record<string, unknown>[] = [];
  let written = 0;
  const flush = async () => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    batch = [];
    while (requests.length > 0) {
      const { UnprocessedItems } = await doc.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  };
  for (const item of demoPortfolio(options.loans, options.asOf, options.seed)) {
    batch.push(item);
    if (batch.length === BATCH_WRITE_LIMIT) {
      await flush();
      written += BATCH_WRITE_LIMIT;
      progress('seeding loans', written, options.loans);
    }
  }
  written += batch.length;
  await flush();
  progress('seeding loans', written, options.loans);
}

/**
 * Between two business days some borrowers pay: each overdue loan in the index pays its oldest
 * overdue instalment in full with probability 15% (seeded), as the payments system would write it:
 * a payment appended to the instalment's `payments`, its paid fields raised to match, `nextDueDate`
 * left as it was. A payment is made the day before `asOf`'s sweep and value-dated that day, except
 * that some arrive late (a bank transfer posted a day or two after it was made): 2 in 5 of the
 * payers already charged, the day's first among them, are value-dated one or two days earlier,
 * and the next sweep gives back what it over-charged.
 */
async function applyPayments(
  doc: DynamoDBDocumentClient,
  tableName: string,
  asOf: BusinessDate,
  random: () => number,
): Promise<{ payments: number; recovered: number }> {
  let payments = 0;
  let recovered = 0;
  let charged = 0;
  for (let shard = 0; shard < 16; shard++) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'dueIndex',
          KeyConditionExpression: 'sweepShard = :shard AND nextDueDate < :asOf',
          ExpressionAttributeValues: { ':shard': shard, ':asOf': asOf },
          ExclusiveStartKey,
        }),
      );
      for (const loan of page.Items ?? []) {
        if (random() >= 0.15 || !Array.isArray(loan.installments)) continue;
        // nextDueDate may be stale early (SPEC §3): pay the oldest unpaid instalment only if it is
        // really overdue.
        const index = loan.installments.findIndex(
          (inst: Record<string, unknown>) =>
            Number(inst.principalPaid) + Number(inst.interestPaid) <
            Number(inst.principalDue) + Number(inst.interestDue),
        );
        if (index < 0 || !(String(loan.installments[index]?.dueDate) < asOf)) continue;
        const inst = loan.installments[index] as Record<string, unknown>;
        // Integer fen from the item (demo data): no fractions involved.
        const principal = Number(inst.principalDue) - Number(inst.principalPaid);
        const interest = Number(inst.interestDue) - Number(inst.interestPaid);
        // Fixed slots, not chance, so every seed and a small portfolio show backdated payments
        // (SPEC §4 rule 7): of the day's payers whose instalment the sweep has charged, the 1st,
        // 6th, 11th… paid a day before it reached the loan, the 3rd, 8th… two days before.
        const slot = typeof inst.penaltyThrough === 'string' ? charged++ % 5 : -1;
        const daysLate = slot === 0 ? 1 : slot === 2 ? 2 : 0;
        const valueDate = addDays(asOf, -1 - daysLate);
        const payment = {
          paymentId: `PAY-${String(loan.loanId)}-${String(inst.seq)}-${valueDate}`,
          valueDate,
          principal,
          interest,
        };
        const at = `installments[${index}]`;
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { loanId: loan.loanId },
            UpdateExpression:
              `SET ${at}.principalPaid = :p, ${at}.interestPaid = :i, ` +
              `${at}.payments = list_append(if_not_exists(${at}.payments, :none), :payment) ` +
              'ADD version :one',
            ExpressionAttributeValues: {
              ':p': inst.principalDue,
              ':i': inst.interestDue,
              ':none': [],
              ':payment': [payment],
              ':one': 1,
            },
          }),
        );
        payments++;
        recovered += principal + interest;
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return { payments, recovered };
}

function sqsEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: message.Attributes?.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp:
          message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      // Raw delivery turns the SNS message attributes into these, as Lambda passes them on.
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            stringValue: value.StringValue,
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

/**
 * Delivers a queue to its handler as Lambda's event source mapping would: batches of up to 10,
 * successful records deleted, batch item failures left for redelivery. Stops when the queue has
 * been empty for a moment. Returns the messages handled and those that failed.
 */
export async function deliverQueue(
  sqs: SQSClient,
  queue: { queueUrl: string; queueArn: string },
  handler: Handler<SQSEvent, SQSBatchResponse>,
  context: Context,
  onDelivered: (count: number) => void,
): Promise<{ delivered: number; failed: number }> {
  let delivered = 0;
  let failed = 0;
  let emptyPolls = 0;
  while (emptyPolls < 3) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.queueUrl,
        MaxNumberOfMessages: SQS_BATCH,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      emptyPolls++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    emptyPolls = 0;
    const { batchItemFailures = [] } = await handler(sqsEvent(Messages, queue.queueArn), context);
    const failures = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = Messages.filter((message) => !failures.has(message.MessageId ?? ''));
    failed += Messages.length - done.length;
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: done.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
          })),
        }),
      );
    }
    delivered += done.length;
    onDelivered(delivered);
  }
  return { delivered, failed };
}

/** Messages waiting in a queue (visible ones), for the progress bar's total. */
async function queuedMessages(sqs: SQSClient, queue: { queueUrl: string }): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

async function sampleReminders(
  doc: DynamoDBDocumentClient,
  tableName: string,
  asOf: BusinessDate,
): Promise<{ created: number; samples: ReminderSample[] }> {
  const samples: ReminderSample[] = [];
  const perLocale = new Map<string, number>();
  let created = 0;
  let several = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        // Reminders only: the lines the weekly cap holds back are kept in items without a message.
        FilterExpression: 'asOf = :asOf AND attribute_exists(message)',
        ExpressionAttributeValues: { ':asOf': asOf },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      created++;
      const locale = String(item.locale);
      const lines = orderedLines(Object.values((item.lines ?? {}) as Record<string, ReminderLine>));
      const key = `${locale}:${String(item.kind)}`;
      const many = lines.length > 1 && several < 2;
      if (!many && (perLocale.get(key) ?? 0) >= 1) continue;
      if (many) several++;
      else perLocale.set(key, 1);
      samples.push({
        borrowerId: String(item.borrowerId),
        asOf: String(item.asOf),
        // As the message lists them.
        loanIds: lines.map((line) => line.loanId),
        kind: String(item.kind),
        locale,
        message: String(item.message),
        sendAfter: String(item.sendAfter),
        sendBefore: String(item.sendBefore),
      });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  samples.sort(
    (a, b) =>
      a.locale.localeCompare(b.locale) ||
      a.kind.localeCompare(b.kind) ||
      a.loanIds.length - b.loanIds.length,
  );
  return { created, samples };
}

/** Sixteen characters, one per shard: `█` swept, `▒` under way, `·` not started. */
function shardGlyphs(shards: ReadonlyMap<number, ShardProgress>): string {
  return Array.from({ length: 16 }, (_, shard) => {
    const state = shards.get(shard);
    return state === undefined ? '·' : state.complete ? '█' : '▒';
  }).join('');
}

/**
 * Runs the local system for `options.days` consecutive business days from `options.asOf`.
 * Handlers are imported after the environment is set, exactly as Lambda would load them.
 */
export async function runLocal(
  options: LocalRunOptions,
  progress: Progress = () => {},
): Promise<LocalRunResult> {
  const dynamodb = new DynamoDBClient({});
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  // The emulator's queue URLs name a host that does not resolve; send to the endpoint instead.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  progress('creating the stack resources', 0);
  const resources = await createLocalResources({ dynamodb, sns: new SNSClient({}), sqs });
  const timeZone = process.env.BUSINESS_TIMEZONE ?? DEFAULT_BUSINESS_TIMEZONE;
  Object.assign(process.env, resources.env, {
    BUSINESS_TIMEZONE: timeZone,
    FEE_POLICY: DEMO_FEE_POLICY,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  });
  const sweepHandler = (await import('../../functions/sweep/handler')).handler as Handler<
    unknown,
    unknown
  >;
  progress('synthesizing the sweep-run workflow', 0);
  const workflow = synthesizedWorkflow();
  const functions = { [workflow.sweepFunctionArn]: localFunction(sweepHandler) };
  const reminder = (await import('../../functions/reminder/handler')).handler as Handler<
    SQSEvent,
    SQSBatchResponse
  >;
  const reporting = (await import('../../functions/reporting/handler')).handler as Handler<
    SQSEvent,
    SQSBatchResponse
  >;
  const publisher = (await import('../../functions/publisher/handler')).handler as Handler<
    DynamoDBStreamEvent,
    DynamoDBBatchResponse
  >;
  // The loans table's stream feeds the publisher as its event source mapping would.
  const pump = createPublisherPump(resources.loansStreamArn, (event) =>
    publisher(event, lambdaContext('publisher')),
  );

  await seed(doc, resources.tables.LOANS_TABLE_NAME, options, progress);
  const reports = createReportStore(doc, resources.tables.REPORTS_TABLE_NAME);
  const paymentsRandom = seededRandom(options.seed ^ 0x5eed);
  const days: DayResult[] = [];
  let lastSamples: ReminderSample[] = [];
  // The latest reminder naming several loans: the weekly cap may leave the last day without one.
  let lastSeveral: ReminderSample | undefined;
  const queues: LocalEventsTopology['queues'] = resources.events.queues;

  for (let day = 0; day < options.days; day++) {
    const asOf = addDays(options.asOf, day);
    if (day > 0 && !options.dryRun) progress(`borrowers paying before ${asOf}`, 0);
    const { payments, recovered } =
      day === 0 || options.dryRun
        ? { payments: 0, recovered: 0 }
        : await applyPayments(doc, resources.tables.LOANS_TABLE_NAME, asOf, paymentsRandom);
    // The day's execution input: the schedule's event once its time has passed, else an operator's.
    const input = dayExecutionInput(asOf, { dryRun: options.dryRun, timeZone, now: new Date() });
    const phase = `sweeping ${asOf} (workflow: 16 shards)`;
    let shards: ReadonlyMap<number, ShardProgress> = new Map();
    const swept = () => [...shards.values()].filter((s) => s.complete).length;
    const loans = () => [...shards.values()].reduce((n, s) => n + s.loansExamined, 0);
    progress(phase, 0, 16, shardGlyphs(shards));
    const execution = startExecution(workflow, functions, input, {
      name: `local-${asOf}-${Date.now()}`,
      retryIntervalMs: 100,
      onEvent: shardProgressTracker((now) => {
        shards = now;
        progress(phase, swept(), 16, `${shardGlyphs(shards)} ${loans()} loans`);
      }),
    });
    const outcome = await execution.result;
    if (outcome.status !== 'SUCCEEDED') {
      const why =
        outcome.status === 'FAILED' ? `${outcome.error}: ${outcome.cause}` : outcome.status;
      throw new Error(`the sweep-run execution for ${asOf} did not succeed: ${why}`);
    }
    const summary = outcome.output as WorkflowSummary;
    progress(`publishing events ${asOf}`, 0);
    await pump.drain();
    // Both queues drain at once, as their two event source mappings would; one progress bar.
    const delivering = `delivering events ${asOf}`;
    const total =
      (await queuedMessages(sqs, queues.Reminder)) + (await queuedMessages(sqs, queues.Reporting));
    const delivered = { reminder: 0, reporting: 0 };
    const report = () => progress(delivering, delivered.reminder + delivered.reporting, total);
    report();
    const [toReminder, toReporting] = await Promise.all([
      deliverQueue(sqs, queues.Reminder, reminder, lambdaContext('reminder'), (n) => {
        delivered.reminder = n;
        report();
      }),
      deliverQueue(sqs, queues.Reporting, reporting, lambdaContext('reporting'), (n) => {
        delivered.reporting = n;
        report();
      }),
    ]);
    const { created, samples } = await sampleReminders(
      doc,
      resources.tables.REMINDERS_TABLE_NAME,
      asOf,
    );
    lastSamples = samples;
    lastSeveral = samples.find((sample) => sample.loanIds.length > 1) ?? lastSeveral;
    days.push({
      asOf,
      summary,
      execution: {
        executionArn: execution.executionArn,
        input,
        partsByShard: Array.from({ length: 16 }, (_, shard) => shards.get(shard)?.parts ?? 0),
      },
      report: await reports.get(asOf),
      payments,
      recovered,
      remindersCreated: created,
      messagesDelivered: { reminder: toReminder.delivered, reporting: toReporting.delivered },
      messagesFailed: { reminder: toReminder.failed, reporting: toReporting.failed },
    });
  }
  const several = lastSamples.some((sample) => sample.loanIds.length > 1);
  return {
    options,
    days,
    reminders: several || !lastSeveral ? lastSamples : [...lastSamples, lastSeveral],
  };
}

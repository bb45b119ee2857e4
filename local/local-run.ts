/**
 * The whole system on one machine (docs/contract.md, Running it): the stack's resources on the emulators, a seeded
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
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { createReportStore, type ReportItem } from '../functions/adapters/report-store';
import { ENV } from '../functions/contract/environment';
import { type CreditMonth, monthOf, settlementDateOf } from '../functions/core/credit-records';
import { addDays, DEFAULT_BUSINESS_TIMEZONE, daysBetween } from '../functions/core/dates';
import { orderedLines, type ReminderLine } from '../functions/core/reminders';
import type { BusinessDate } from '../functions/core/types';
import type { WorkflowSummary } from '../functions/sweep/finish';
import { type ExtractResult, extractMonth } from './credit-extract';
import {
  DEMO_FEE_POLICY,
  demoPortfolio,
  EPISODE_SHOWCASE,
  type EpisodeShowcase,
  episodeShowcaseLoans,
  seededRandom,
} from './demo-portfolio';
import { serveDescribeExecution } from './local-executions';
import {
  createLocalResources,
  deleteTables,
  existingTables,
  type LocalEventsTopology,
  type LocalResources,
} from './local-resources';
import { scanReminderItems } from './reminder-items';
import { createPublisherPump, type StreamPosition } from './stream-pump';
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

/** A month whose settlement date the run swept: its credit extract, summed up (no file). */
export interface LocalCreditExtract {
  readonly month: CreditMonth;
  readonly result: ExtractResult;
}

/** One loan of the demo's episode showcase as the last day left it (its item's attributes). */
export interface EpisodeShowcaseRow {
  readonly loanId: string;
  readonly showcase: EpisodeShowcase;
  /** What the loan shows on the first day. */
  readonly shows: string;
  readonly status: string;
  readonly dpd: number;
  readonly riskClass: string;
  readonly creditHold: boolean;
  readonly creditNoticeOn?: string;
  readonly hardshipOfferId?: string;
  /** `KEPT`/`BROKEN` and the date decided, if a promise was. */
  readonly promiseOutcome?: string;
}

export interface LocalRunResult {
  readonly options: LocalRunOptions;
  readonly days: readonly DayResult[];
  /**
   * A few borrowers' reminders of the last day, both locales, and some naming several loans (of an
   * earlier day when the weekly cap leaves the last day without one).
   */
  readonly reminders: readonly ReminderSample[];
  /** Whether the run went on with the book of an earlier run (kept local data). */
  readonly continued: boolean;
  /** The extract of each month that ended within the run (none for a dry run). */
  readonly creditExtracts: readonly LocalCreditExtract[];
  /** The demo's delinquency-episode showcase loans after the last day. */
  readonly episodes: readonly EpisodeShowcaseRow[];
}

/** Where a run keeps its tables: by default new ones under a random prefix, seeded. */
export interface LocalStore {
  /** Table name prefix, e.g. `local` (tables `local-loans`, …). */
  readonly prefix: string;
  /**
   * Go on with the demo book an earlier run left in these tables (when they are all there):
   * seed nothing, and before the first day let borrowers pay when it comes after `lastSwept`.
   * Otherwise any tables of the prefix are replaced by a new seeded book.
   */
  readonly continueFrom?: {
    readonly lastSwept: BusinessDate;
    /** Where that run's stream publisher stopped, so no event is published twice. */
    readonly stream?: StreamPosition;
  };
  /** Called once the tables hold the book (seeded or found), before the first day is swept. */
  readonly onReady?: (state: { continued: boolean; stream: StreamPosition }) => void;
  /** Called after each day with how far the publisher has read. */
  readonly onDay?: (day: DayResult, stream: StreamPosition) => void;
}

/** Reports progress of the long phases; `total` may be unknown; `detail` says more (e.g. per shard). */
export type Progress = (phase: string, done: number, total?: number, detail?: string) => void;

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

const BATCH_WRITE_LIMIT = 25;
const SQS_BATCH = 10;

/** A Lambda context for a handler run in this process. */
export function lambdaContext(functionName: string): Context {
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
        // nextDueDate may be stale early (docs/contract.md, Loans table): pay the oldest unpaid instalment only if it is
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
        // (docs/contract.md, Value-dated payments): of the day's payers whose instalment the sweep has charged, the 1st,
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
  for await (const item of scanReminderItems(doc, tableName, asOf)) {
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
  samples.sort(
    (a, b) =>
      a.locale.localeCompare(b.locale) ||
      a.kind.localeCompare(b.kind) ||
      a.loanIds.length - b.loanIds.length,
  );
  return { created, samples };
}

/**
 * Sets what the handlers read from the environment, as the stack sets it for the functions: the
 * resources' names, the business time zone (kept if set), the demo's fee policy, Powertools quiet.
 * @returns the business time zone.
 */
export function setHandlerEnvironment(resources: Record<string, string>): string {
  const timeZone = process.env.BUSINESS_TIMEZONE ?? DEFAULT_BUSINESS_TIMEZONE;
  Object.assign(process.env, resources, {
    BUSINESS_TIMEZONE: timeZone,
    FEE_POLICY: DEMO_FEE_POLICY,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  });
  return timeZone;
}

/** The reminder and reporting handlers, imported once their environment is set (as on Lambda). */
export async function consumerHandlers(): Promise<{
  reminder: Handler<SQSEvent, SQSBatchResponse>;
  reporting: Handler<SQSEvent, SQSBatchResponse>;
}> {
  const reminder = (await import('../functions/reminder/handler')).handler as Handler<
    SQSEvent,
    SQSBatchResponse
  >;
  const reporting = (await import('../functions/reporting/handler')).handler as Handler<
    SQSEvent,
    SQSBatchResponse
  >;
  return { reminder, reporting };
}

/** The episode showcase loans of the portfolio as the run left them. */
async function episodeShowcase(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loans: number,
): Promise<EpisodeShowcaseRow[]> {
  const rows: EpisodeShowcaseRow[] = [];
  for (const { loanId, showcase } of episodeShowcaseLoans(loans)) {
    const { Item = {} } = await doc.send(new GetCommand({ TableName: tableName, Key: { loanId } }));
    const outcome = Item.promiseOutcome as { outcome?: string; asOf?: string } | undefined;
    rows.push({
      loanId,
      showcase,
      shows: EPISODE_SHOWCASE[showcase],
      status: String(Item.status),
      dpd: Number(Item.dpd ?? 0),
      riskClass: String(Item.riskClass ?? 'NORMAL'),
      creditHold: Item.creditHold === true,
      ...(typeof Item.creditNoticeOn === 'string' && { creditNoticeOn: Item.creditNoticeOn }),
      ...(typeof Item.hardshipOfferId === 'string' && { hardshipOfferId: Item.hardshipOfferId }),
      ...(outcome && { promiseOutcome: `${outcome.outcome} ${outcome.asOf}` }),
    });
  }
  return rows;
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
  store?: LocalStore,
): Promise<LocalRunResult> {
  const dynamodb = new DynamoDBClient({});
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  // The emulator's queue URLs name a host that does not resolve; send to the endpoint instead.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  progress('creating the stack resources', 0);
  const kept =
    store?.continueFrom === undefined ? undefined : await existingTables(dynamodb, store.prefix);
  if (store && !kept) await deleteTables(dynamodb, store.prefix);
  const continued = kept !== undefined;
  const resources = await createLocalResources(
    { dynamodb, sns: new SNSClient({}), sqs },
    store?.prefix,
    kept,
  );
  const timeZone = setHandlerEnvironment(resources.env);
  const sweepHandler = (await import('../functions/sweep/handler')).handler as Handler<
    unknown,
    unknown
  >;
  progress('synthesizing the sweep-run workflow', 0);
  const workflow = synthesizedWorkflow();
  // The sweep checks each workflow step's execution with Step Functions: here the interpreter's.
  const stepFunctions = await serveDescribeExecution();
  process.env[ENV.stateMachineArn] = workflow.stateMachineArn;
  process.env.AWS_ENDPOINT_URL_SFN = stepFunctions.url;
  const functions = { [workflow.sweepFunctionArn]: localFunction(sweepHandler) };
  const { reminder, reporting } = await consumerHandlers();
  const publisher = (await import('../functions/publisher/handler')).handler as Handler<
    DynamoDBStreamEvent,
    DynamoDBBatchResponse
  >;
  // The loans table's stream feeds the publisher as its event source mapping would, from where
  // the mapping of a run before stopped.
  const pump = createPublisherPump(
    resources.loansStreamArn,
    (event) => publisher(event, lambdaContext('publisher')),
    continued && store?.continueFrom?.stream ? { from: store.continueFrom.stream } : {},
  );

  if (!continued) await seed(doc, resources.tables.LOANS_TABLE_NAME, options, progress);
  store?.onReady?.({ continued, stream: pump.position() });
  const reports = createReportStore(doc, resources.tables.REPORTS_TABLE_NAME);
  const lastSwept = continued ? store?.continueFrom?.lastSwept : undefined;
  // A run going on with a kept book gets payments of its own, not a replay of the first run's.
  const paymentsRandom = seededRandom(
    options.seed ^ 0x5eed ^ (lastSwept === undefined ? 0 : daysBetween(lastSwept, options.asOf)),
  );
  const days: DayResult[] = [];
  let lastSamples: ReminderSample[] = [];
  // The latest reminder naming several loans: the weekly cap may leave the last day without one.
  let lastSeveral: ReminderSample | undefined;
  const queues: LocalEventsTopology['queues'] = resources.events.queues;

  for (let day = 0; day < options.days; day++) {
    const asOf = addDays(options.asOf, day);
    // Borrowers pay between two days swept: the run's own, or the last of a run before and this.
    const afterADay = day > 0 || (lastSwept !== undefined && lastSwept < asOf);
    if (afterADay && !options.dryRun) progress(`borrowers paying before ${asOf}`, 0);
    const { payments, recovered } =
      !afterADay || options.dryRun
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
    const result: DayResult = {
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
    };
    days.push(result);
    store?.onDay?.(result, pump.position());
  }
  const several = lastSamples.some((sample) => sample.loanIds.length > 1);
  const episodes = await episodeShowcase(doc, resources.tables.LOANS_TABLE_NAME, options.loans);
  return {
    options,
    days,
    reminders: several || !lastSeveral ? lastSamples : [...lastSamples, lastSeveral],
    continued,
    creditExtracts: options.dryRun ? [] : await monthEndExtracts(doc, resources.tables, days),
    episodes,
  };
}

/**
 * The credit extract of each month whose last day the run swept, counted without writing a file.
 * The run's first month started before its first day, so those dates have no report: written
 * anyway (`--allow-incomplete`), the result names them.
 */
async function monthEndExtracts(
  doc: DynamoDBDocumentClient,
  tables: LocalResources['tables'],
  days: readonly DayResult[],
): Promise<LocalCreditExtract[]> {
  const lastDay = days[days.length - 1]?.asOf;
  const months = days
    .map(({ asOf }) => monthOf(asOf))
    .filter((month, i) => days[i]?.asOf === settlementDateOf(month));
  const extracts: LocalCreditExtract[] = [];
  for (const month of months) {
    const result = await extractMonth(
      doc,
      { creditRecords: tables.CREDIT_RECORDS_TABLE_NAME, reports: tables.REPORTS_TABLE_NAME },
      { month, allowIncomplete: true, today: lastDay ?? settlementDateOf(month) },
      async () => ({ write: async () => {}, close: async () => {} }),
    );
    extracts.push({ month, result });
  }
  return extracts;
}

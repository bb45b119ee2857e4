/**
 * The sweep and the stream publisher on the emulators, for integration tests: both assembled by
 * the product's own wiring on real clients (which a test may wrap for fault injection), the
 * loans-table stream pumped to the publisher as Lambda's event source mapping would, and readers
 * of what the tables and queues hold afterwards.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type PublishBatchCommand,
  type PublishBatchCommandOutput,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { exponentialBackoff } from '../../functions/adapters/retry';
import { OUTBOX_ATTRIBUTE } from '../../functions/contract/tables';
import { decodeOutbox, isRunRecordKey, runRecordKeyOf } from '../../functions/core/outbox';
import { parsePolicyBook } from '../../functions/core/policy';
import type { EventEnvelope, PolicyBook } from '../../functions/core/types';
import { createPublisher } from '../../functions/publisher/wiring';
import { loadSweepConfig } from '../../functions/sweep/config';
import type { PartResponse } from '../../functions/sweep/part';
import type { ExecutionCheck, RunHandOff } from '../../functions/sweep/ports';
import type { SweepTuning, TimeBudget } from '../../functions/sweep/run';
import type { DirectRunSummary } from '../../functions/sweep/service';
import { createSweep } from '../../functions/sweep/wiring';
import { localExecutions } from '../../scripts/lib/local-executions';
import type { LocalResources } from '../../scripts/lib/local-resources';
import {
  createPublisherPump,
  type DrainResult,
  type StreamPump,
} from '../../scripts/lib/stream-pump';
import { drainQueue, localClients } from './aws';
import { fromTestExecution, TEST_EXECUTION, TEST_STATE_MACHINE_ARN } from './in-memory-sweep';

type Item = Record<string, unknown>;

/** The policy of these tests: a 5.00 late fee, and a product whose cap is 0.6% of principal. */
export const FEE_POLICY = JSON.stringify({
  default: { lateFee: 500 },
  products: { CAPPED: { maxChargesRatio: 0.006 } },
});
export const BOOK: PolicyBook = parsePolicyBook(FEE_POLICY);

/** The fixed instant of every run in these tests: 09:00 on 2026-11-28 in Shanghai. */
export const NOW = new Date('2026-11-28T01:00:00.000Z');

/** The harness's clients (plain numbers) for set-up and assertions. */
export const clients = localClients();

const unlimited: TimeBudget = { exhausted: () => false };

/** A silent log that remembers what was logged, for assertions on logs. */
export function recordingLog() {
  const lines: { level: string; message: string; extra: Item }[] = [];
  const at =
    (level: string) =>
    (message: unknown, ...extra: unknown[]) => {
      lines.push({ level, message: String(message), extra: (extra[0] ?? {}) as Item });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

const readsByClient = new WeakMap<DynamoDBClient, string[]>();
const ledgerQueriesByClient = new WeakMap<DynamoDBClient, string[]>();

/** Loan ids whose ledger partition the sweep queried (rule 7), one per Query call. */
export function countLedgerQueries(dynamodb: DynamoDBClient, ledgerTable: string): string[] {
  const counted = ledgerQueriesByClient.get(dynamodb);
  if (counted) return counted;
  const queried: string[] = [];
  ledgerQueriesByClient.set(dynamodb, queried);
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TableName?: string;
        ExpressionAttributeValues?: Record<string, { S?: string } | string>;
      };
      if (context.commandName === 'QueryCommand' && input.TableName === ledgerTable) {
        // Marshalled ({ S }) or not yet, depending on where the document client translates.
        const loan = input.ExpressionAttributeValues?.[':loan'];
        queried.push(typeof loan === 'string' ? loan : String(loan?.S));
      }
      return next(args);
    },
    { step: 'initialize', name: 'countLedgerQueries' },
  );
  return queried;
}

/** Loan ids of every item the sweep's reads returned (Query, GetItem, BatchGetItem). */
export function countReads(dynamodb: DynamoDBClient): string[] {
  const counted = readsByClient.get(dynamodb);
  if (counted) return counted;
  const read: string[] = [];
  readsByClient.set(dynamodb, read);
  dynamodb.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as {
        Items?: Item[];
        Item?: Item;
        Responses?: Record<string, Item[]>;
      };
      const items = [
        ...(output.Items ?? []),
        ...(output.Item ? [output.Item] : []),
        ...Object.values(output.Responses ?? {}).flat(),
      ];
      for (const item of items) {
        const id = item.loanId as { S?: string } | string | undefined;
        read.push(typeof id === 'string' ? id : String(id?.S));
      }
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  return read;
}

export interface SweeperOptions {
  /** The DynamoDB client the sweep uses (wrap one for fault injection). */
  readonly dynamodb?: DynamoDBClient;
  readonly tuning?: Partial<SweepTuning>;
  readonly handOff?: RunHandOff;
  /** Which executions run (default: the test execution and the local interpreter's). */
  readonly executions?: ExecutionCheck;
  readonly clock?: () => Date;
  /** Extra environment (e.g. SWEEP_STATE_MACHINE_ARN). */
  readonly env?: Record<string, string>;
}

/** The sweep on this file's resources, built by the product's wiring; runs answer its summaries. */
export function sweeper(resources: LocalResources, options: SweeperOptions = {}) {
  const dynamodb = options.dynamodb ?? new DynamoDBClient({});
  const reads = countReads(dynamodb);
  const ledgerQueries = countLedgerQueries(dynamodb, resources.tables.LEDGER_TABLE_NAME);
  const log = recordingLog();
  const config = loadSweepConfig({
    ...resources.env,
    BUSINESS_TIMEZONE: 'Asia/Shanghai',
    FEE_POLICY,
    SWEEP_STATE_MACHINE_ARN: TEST_STATE_MACHINE_ARN,
    ...options.env,
  });
  const executions = options.executions ?? {
    isRunning: async (arn: string) => arn === TEST_EXECUTION || localExecutions.isRunning(arn),
  };
  const sweep = createSweep(
    {
      dynamodb,
      executions,
      ...(options.handOff && { handOff: options.handOff }),
    },
    config,
    {
      log,
      clock: options.clock ?? (() => NOW),
      tuning: { pageSize: 4, loanConcurrency: 8, ...options.tuning },
      batchRetry: exponentialBackoff(4, 5, 20),
    },
  );
  return {
    reads,
    ledgerQueries,
    log,
    /** A step without `execution` is sent as the running test execution's. */
    run: async (event: unknown, budget = unlimited) =>
      (await sweep.handle(fromTestExecution(event), budget)) as DirectRunSummary,
    part: async (event: unknown, budget = unlimited) =>
      (await sweep.handle(fromTestExecution(event), budget)) as PartResponse,
    /** `event` exactly as given (a step from nowhere, or from an execution that is not running). */
    asGiven: (event: unknown, budget = unlimited) => sweep.handle(event, budget),
  };
}

const pumps = new WeakMap<LocalResources, StreamPump>();
let publisherSns = new SNSClient({});

/**
 * Publishes what the sweep recorded since the last call: the loans-table stream pumped to the
 * real publisher (on `sns`, or a plain client), as the event source mapping would.
 */
export async function publishRecorded(
  resources: LocalResources,
  sns?: SNSClient,
): Promise<DrainResult> {
  publisherSns = sns ?? publisherSns;
  let pump = pumps.get(resources);
  if (!pump) {
    // Resolved on each invocation, so a test can swap the SNS client between drains.
    const handler = (event: Parameters<ReturnType<typeof createPublisher>>[0]) =>
      createPublisher(
        { sns: publisherSns },
        { eventsTopicArn: resources.events.topicArn, policyBook: BOOK },
        { publishRetry: exponentialBackoff(2, 1, 1) },
      )(event);
    pump = createPublisherPump(resources.loansStreamArn, handler, { maxRetries: 2 });
    pumps.set(resources, pump);
  }
  const drained = await pump.drain();
  publisherSns = new SNSClient({});
  return drained;
}

/** Event envelopes from SQS messages (raw delivery: the body is the envelope). */
export function envelopes(messages: Message[]): EventEnvelope[] {
  return messages.map((m) => JSON.parse(m.Body ?? '{}') as EventEnvelope);
}

/**
 * Everything the reporting queue (every event) received since the last call, after publishing
 * what the sweep recorded.
 */
export async function receivedEvents(resources: LocalResources): Promise<EventEnvelope[]> {
  await publishRecorded(resources);
  return envelopes(await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl));
}

/** Failure injection for PublishBatch: which entries (by event id) to fail, or a whole outage. */
export interface SnsFaults {
  failIds?: (eventId: string) => boolean;
  outage?: boolean;
}

/**
 * A real SNS client whose PublishBatch can fail chosen entries (they are not sent, and reported
 * in `Failed`) or fail entirely, as SNS does under partial failure or an outage.
 */
export function faultySns(faults: SnsFaults): SNSClient {
  const sns = new SNSClient({ maxAttempts: 1 });
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PublishBatchCommand') return next(args);
      if (faults.outage)
        throw Object.assign(new Error('SNS unavailable'), { name: 'InternalError' });
      const input = args.input as PublishBatchCommand['input'];
      const entries = input.PublishBatchRequestEntries ?? [];
      const failing = entries.filter((e) => faults.failIds?.(JSON.parse(e.Message ?? '{}').id));
      const sending = entries.filter((e) => !failing.includes(e));
      const failed = failing.map((e) => ({
        Id: e.Id,
        Code: 'InternalError',
        SenderFault: false,
        Message: 'injected failure',
      }));
      if (sending.length === 0) {
        return { output: { Successful: [], Failed: failed, $metadata: {} }, response: {} };
      }
      const result = await next({
        ...args,
        input: { ...input, PublishBatchRequestEntries: sending },
      });
      const output = result.output as PublishBatchCommandOutput;
      return { ...result, output: { ...output, Failed: [...(output.Failed ?? []), ...failed] } };
    },
    { step: 'initialize', name: 'injectPublishFaults' },
  );
  return sns;
}

/** Writes items to a table, 25 per call. */
export async function putItems(table: string, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await clients.doc.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

/** Every item of a table (plain JS numbers). */
export async function scanAll(table: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await clients.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Every loan and ledger entry, sorted, without what differs between two runs of the same day by
 * design: the loans' `version` and recorded `outbox`, and with `ignoreRunIds` the entries' `runId`.
 */
export async function sweepEndState(
  resources: LocalResources,
  options: { ignoreRunIds?: boolean } = {},
) {
  const items = await scanAll(resources.tables.LOANS_TABLE_NAME);
  const ledger = await scanAll(resources.tables.LEDGER_TABLE_NAME);
  const isRun = (item: Item) => isRunRecordKey(String(item.loanId));
  return {
    loans: items
      .filter((item) => !isRun(item))
      .map(({ version: _v, outbox: _o, ...rest }) => rest)
      .sort((a, b) => String(a.loanId).localeCompare(String(b.loanId))),
    // The run records by run id (their summaries differ in the clock's figures).
    runs: items
      .filter(isRun)
      .map((item) => String(item.runId))
      .sort(),
    ledger: ledger
      .map(({ runId, ...rest }) => (options.ignoreRunIds ? rest : { runId, ...rest }))
      .sort((a, b) => `${a.loanId}${a.entryId}`.localeCompare(`${b.loanId}${b.entryId}`)),
  };
}

/** The `sweep.completed` run `runId`'s run record carries, if it has one. */
export async function runRecordOf(
  resources: LocalResources,
  runId: string,
): Promise<EventEnvelope | undefined> {
  const key = runRecordKeyOf(runId);
  const { Item } = await clients.doc.send(
    new GetCommand({ TableName: resources.tables.LOANS_TABLE_NAME, Key: { loanId: key } }),
  );
  if (!Item) return undefined;
  const decoded = decodeOutbox(Item[OUTBOX_ATTRIBUTE], key);
  if (!decoded.ok) throw new Error(`run record ${key}: ${decoded.reason}`);
  return decoded.events[0];
}

/** A loan's ledger entries. */
export async function ledgerOf(resources: LocalResources, loanId: string): Promise<Item[]> {
  const { Items = [] } = await clients.doc.send(
    new QueryCommand({
      TableName: resources.tables.LEDGER_TABLE_NAME,
      KeyConditionExpression: 'loanId = :id',
      ExpressionAttributeValues: { ':id': loanId },
    }),
  );
  return Items;
}

/** A payment as upstream records it on an instalment (SPEC §3 `payments`); minor units. */
export interface PostedPayment {
  readonly paymentId: string;
  readonly valueDate: string;
  readonly principal: number;
  readonly interest: number;
}

/**
 * Posts `payment` on the instalment at `index` as the payment system would: appended to its
 * `payments`, its paid fields raised by the same amounts, `nextDueDate` left as it was (SPEC §4
 * rule 7) and nothing of the sweep's touched; `status`, when given, set in the same write.
 */
export async function postPayment(
  resources: LocalResources,
  loanId: string,
  index: number,
  payment: PostedPayment,
  status?: string,
): Promise<void> {
  const at = `installments[${index}]`;
  await clients.doc.send(
    new UpdateCommand({
      TableName: resources.tables.LOANS_TABLE_NAME,
      Key: { loanId },
      UpdateExpression:
        `SET ${at}.payments = list_append(if_not_exists(${at}.payments, :none), :payment), ` +
        `${at}.principalPaid = ${at}.principalPaid + :principal, ` +
        `${at}.interestPaid = ${at}.interestPaid + :interest` +
        (status === undefined ? '' : ', #status = :status'),
      ExpressionAttributeValues: {
        ':none': [],
        ':payment': [payment],
        ':principal': payment.principal,
        ':interest': payment.interest,
        ...(status === undefined ? {} : { ':status': status }),
      },
      ...(status === undefined ? {} : { ExpressionAttributeNames: { '#status': 'status' } }),
    }),
  );
}

/** The loan item as stored now (plain numbers); empty when there is none. */
export async function storedLoan(resources: LocalResources, loanId: string): Promise<Item> {
  const { Item } = await clients.doc.send(
    new GetCommand({ TableName: resources.tables.LOANS_TABLE_NAME, Key: { loanId } }),
  );
  return Item ?? {};
}
